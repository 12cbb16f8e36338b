// CPU seconds from Linux /proc and from this process's rusage, shared by the bench's TypeScript
// (cpu-seconds.d.mts) and by the plain-JS preloads it runs inside measured children
// (usage-report.mjs, thread-cpu.mjs), which load no TypeScript.
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** A process's or thread's name and CPU seconds (user + system) from its /proc `stat` file. */
export function statCpu(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  // The name is in parentheses and may itself hold spaces: fields are counted after it.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5); fields here start at field 3.
  return { name, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

/**
 * CPU seconds (all threads) another process has used so far: how the bench charges Azurite's
 * share of a run to the run. NaN where /proc is not there (those figures then read n/a).
 */
export function processCpuSeconds(pid) {
  try {
    return statCpu(`/proc/${pid}/stat`).seconds;
  } catch {
    return Number.NaN;
  }
}

/** This process's own CPU seconds (getrusage: user + system of every thread). */
export function ownCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
