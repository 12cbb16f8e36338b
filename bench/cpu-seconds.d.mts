/** Types of cpu-seconds.mjs (plain JS, so preloads can use it without a TypeScript loader). */
export function statCpu(statPath: string): { name: string; seconds: number };
export function processCpuSeconds(pid: number): number;
export function ownCpuSeconds(): number;
