/**
 * `npm run bench:profile`: where one large `mdq pull` spends its time. Generates the bench's
 * large-blob archive in Azurite, runs the built CLI once under `--cpu-prof` with
 * thread-cpu.mjs preloaded, and prints CPU seconds per thread group (main thread, V8's GC
 * workers, libuv workers (DuckDB runs queries there, and fs writes), DuckDB's own workers) and
 * the main thread's busiest functions. One run: a profile, not a benchmark.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateArchive } from './archive.js';
import { startBenchAzurite } from './azurite.js';
import { runCliPull } from './scenarios/mdq-cli.js';
import { benchSettings } from './settings.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

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

const settings = benchSettings(process.env);
const azurite = await startBenchAzurite();
const work = await mkdtemp(join(tmpdir(), 'mdq-bench-profile-'));
try {
  const archive = await generateArchive(await azurite.container('bench'), {
    days: settings.days,
    blobsPerDay: 1,
    blobBytes: settings.largeBlobBytes,
    rowsPerRequest: 100,
  });
  const profiles = join(work, 'profiles');
  const pulled = await runCliPull(
    { connectionString: azurite.connectionString, archive },
    join(work, 'db', 'mdq.duckdb'),
    ['--cpu-prof', '--cpu-prof-dir', profiles, '--import', './bench/thread-cpu.mjs'],
  );
  const mb = archive.bytes / 1e6;
  const lines = [
    `mdq pull of ${archive.blobs} blobs, ${mb.toFixed(0)} MB: ${pulled.seconds.toFixed(2)} s (${(mb / pulled.seconds).toFixed(0)} MB/s), peak RSS ${(pulled.maxRssBytes / 2 ** 20).toFixed(0)} MiB`,
  ];
  const report = pulled.stderr.split('\n').find((line) => line.startsWith('mdq-bench-threads '));
  if (report !== undefined) {
    const { total, threads } = JSON.parse(report.slice('mdq-bench-threads '.length)) as {
      total: number;
      threads: Record<string, number>;
    };
    const listed = Object.values(threads).reduce((sum, s) => sum + s, 0);
    lines.push(`CPU ${total.toFixed(2)} s in all (${(total / pulled.seconds).toFixed(2)} cores):`);
    for (const [name, seconds] of Object.entries(threads).sort((a, b) => b[1] - a[1])) {
      if (seconds >= 0.05) {
        lines.push(`  ${seconds.toFixed(2).padStart(6)} s  ${name}`);
      }
    }
    lines.push(
      `  ${(total - listed).toFixed(2).padStart(6)} s  threads gone by exit (DuckDB's workers)`,
    );
  }
  const file = (await readdir(profiles)).find((name) => name.endsWith('.cpuprofile'));
  if (file !== undefined) {
    const profile = JSON.parse(await readFile(join(profiles, file), 'utf8')) as CpuProfile;
    lines.push('Main thread, self time (wall-clock samples: includes time preempted):');
    for (const [name, seconds] of selfTimes(profile).slice(0, 15)) {
      lines.push(`  ${seconds.toFixed(2).padStart(6)} s  ${name}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
  await azurite.stop();
}
