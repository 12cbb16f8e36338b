// Preloaded with `node --import` by measured-child.ts: reports the process's peak resident set
// and the CPU it used on stderr as it exits, so the bench measures the real `mdq` CLI without
// changing it.
// VmHWM, not getrusage's maxRSS: Linux carries maxRSS across fork and exec, so a child of the
// bench (itself a few hundred MB) would report the bench's size, not its own.
// CPU: user + system of every thread (cpu-seconds.mjs), DuckDB's workers and libuv's included.
import { readFileSync } from 'node:fs';
import { ownCpuSeconds } from './cpu-seconds.mjs';

function peakRssBytes() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (kb !== undefined) {
      return Number(kb) * 1024;
    }
  } catch {
    // not Linux: fall through to getrusage
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => {
  const usage = { maxRssBytes: peakRssBytes(), cpuSeconds: ownCpuSeconds() };
  process.stderr.write(`\nmdq-bench-usage ${JSON.stringify(usage)}\n`);
});
