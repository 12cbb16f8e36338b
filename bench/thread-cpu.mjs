// Preloaded with `node --import` by profile-pull.ts: prints, as the process exits, the CPU
// seconds of each of its live threads grouped by name (Linux /proc), and the process total.
// DuckDB's own worker threads have exited by then (the database is closed): their share is
// the total minus the threads listed.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function cpuSeconds(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields here start at field 3.
  return { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

process.on('exit', () => {
  try {
    const threads = {};
    for (const task of readdirSync('/proc/self/task')) {
      const { name, seconds } = cpuSeconds(`/proc/self/task/${task}/stat`);
      const group = name.replace(/[\d:]+$/, '#');
      threads[group] = (threads[group] ?? 0) + seconds;
    }
    const usage = process.cpuUsage();
    const total = (usage.user + usage.system) / 1e6;
    process.stderr.write(`\nmdq-bench-threads ${JSON.stringify({ total, threads })}\n`);
  } catch {
    // not Linux: nothing to report
  }
});
