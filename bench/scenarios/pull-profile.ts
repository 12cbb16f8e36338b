import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mib } from '../stats.js';
import { runCliPull } from './mdq-cli.js';
import type { PullTarget } from './mdq-pull.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const THREADS_MARK = 'mdq-bench-threads ';

/** Self time per function, busiest first, from a V8 .cpuprofile. */
function selfTimes(profile: CpuProfile): Array<[string, number]> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame;
    const file = frame?.url.split('/').slice(-2).join('/') ?? '';
    const key = `${frame?.functionName || '(anonymous)'} ${file}${file ? `:${frame?.lineNumber}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1e6);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Where one `mdq pull` spends its time: the built CLI once more, under `--cpu-prof` with
 * bench/thread-cpu.mjs preloaded. Returns markdown lines: wall time, CPU seconds per thread
 * group (main thread, V8's GC workers, libuv workers, where DuckDB runs queries and fs writes
 * run, and DuckDB's own workers, gone by exit), and the main thread's busiest functions.
 */
export async function profilePull(
  target: PullTarget,
  dbPath: string,
  profileDir: string,
): Promise<string[]> {
  const pulled = await runCliPull(target, dbPath, [
    '--cpu-prof',
    '--cpu-prof-dir',
    profileDir,
    '--import',
    './bench/thread-cpu.mjs',
  ]);
  const mb = target.archive.bytes / 1e6;
  const lines = [
    `- profiled pull (\`--cpu-prof\`, one run): ${pulled.seconds.toFixed(2)} s (${(mb / pulled.seconds).toFixed(0)} MB/s), peak RSS ${mib(pulled.maxRssBytes)}`,
  ];
  const report = pulled.stderr.split('\n').find((line) => line.startsWith(THREADS_MARK));
  if (report !== undefined) {
    const { total, threads } = JSON.parse(report.slice(THREADS_MARK.length)) as {
      total: number;
      threads: Record<string, number>;
    };
    const listed = Object.values(threads).reduce((sum, s) => sum + s, 0);
    const groups = Object.entries(threads)
      .filter(([, seconds]) => seconds >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`);
    groups.push(`threads gone by exit (DuckDB's workers) ${(total - listed).toFixed(2)} s`);
    lines.push(
      `- CPU ${total.toFixed(2)} s (${(total / pulled.seconds).toFixed(2)} cores of the run): ${groups.join(', ')}`,
    );
  }
  const file = (await readdir(profileDir)).find((name) => name.endsWith('.cpuprofile'));
  if (file !== undefined) {
    const profile = JSON.parse(await readFile(join(profileDir, file), 'utf8')) as CpuProfile;
    const top = selfTimes(profile)
      .slice(0, 12)
      .map(([name, seconds]) => `\`${name.trim()}\` ${seconds.toFixed(2)} s`);
    lines.push(
      `- main thread, self time (wall-clock samples, so time preempted counts): ${top.join(', ')}`,
    );
  }
  return lines;
}
