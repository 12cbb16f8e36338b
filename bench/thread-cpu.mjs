// Preloaded with `node --import` by profile-pull.ts: prints, as the process exits, the CPU
// seconds of each of its live threads grouped by name (Linux /proc), and the process total.
// DuckDB's own worker threads have exited by then (the database is closed): their share is
// the total minus the threads listed.
import { readdirSync } from 'node:fs';
import { ownCpuSeconds, statCpu } from './cpu-seconds.mjs';

process.on('exit', () => {
  try {
    const threads = {};
    for (const task of readdirSync('/proc/self/task')) {
      const { name, seconds } = statCpu(`/proc/self/task/${task}/stat`);
      const group = name.replace(/[\d:]+$/, '#');
      threads[group] = (threads[group] ?? 0) + seconds;
    }
    const total = ownCpuSeconds();
    process.stderr.write(`\nmdq-bench-threads ${JSON.stringify({ total, threads })}\n`);
  } catch {
    // not Linux: nothing to report
  }
});
