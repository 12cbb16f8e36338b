import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BenchAzurite } from '../azurite.js';
import type { BenchSettings } from '../settings.js';
import { median, repeat } from '../stats.js';
import { measureFreshness } from './freshness.js';
import { type CollectCost, measureCollectCost } from './hot-path.js';
import { benchCollector } from './rows.js';
import type { SoakResult } from './soak.js';
import { type SustainedRun, sustainCollector, sustainPlainFs } from './sustained.js';

export interface CollectorResults {
  cost: CollectCost;
  local: SustainedRun[];
  azurite: SustainedRun[];
  plainFs: SustainedRun[];
  freshness: number[];
  soak: SoakResult;
}

/** Every collector figure, each in a fresh temp folder / container, removed afterwards. */
export async function runCollectorBench(
  azurite: BenchAzurite,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<CollectorResults> {
  const inTemp = async <T>(fn: (dir: string) => Promise<T>): Promise<T> => {
    const dir = await mkdtemp(join(tmpdir(), 'mdq-bench-collect-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const cost = await inTemp((dir) => measureCollectCost(dir, settings.quick ? 20_000 : 200_000));
  log(`collect(): median ${cost.medianNs.toFixed(0)} ns, p99 ${cost.p99Ns.toFixed(0)} ns`);
  const local: SustainedRun[] = [];
  const plainFs: SustainedRun[] = [];
  const toAzurite: SustainedRun[] = [];
  await repeat(settings.runs, async () => {
    local.push(
      await inTemp((dir) =>
        withCollector(dir, { folder: join(dir, 'out') }, (c) =>
          sustainCollector(c, settings.collectorSeconds),
        ),
      ),
    );
    plainFs.push(
      await inTemp((dir) => sustainPlainFs(join(dir, 'plain.csv'), settings.collectorSeconds)),
    );
    const container = await azurite.container('collect');
    toAzurite.push(
      await inTemp((dir) =>
        withCollector(
          dir,
          { connectionString: azurite.connectionString, container: container.containerName },
          (c) => sustainCollector(c, settings.collectorSeconds),
        ),
      ),
    );
    await container.delete();
  });
  log(`sustained rows/s: local ${fmt(local)}, Azurite ${fmt(toAzurite)}, plain fs ${fmt(plainFs)}`);
  const freshness = await repeat(settings.freshnessRuns, async () => {
    const container = await azurite.container('fresh');
    try {
      return await inTemp((dir) => measureFreshness(dir, azurite.connectionString, container));
    } finally {
      await container.delete();
    }
  });
  log(`freshness: ${freshness.map((s) => s.toFixed(2)).join(', ')} s`);
  const soak = await inTemp((dir) => soakInChild(dir, settings.soakSeconds));
  log(
    `soak ${settings.soakSeconds} s: RSS ${mib(soak.startRss)} → ${mib(soak.endRss)} MiB (max ${mib(soak.maxRss)}), ${Math.round(soak.run.rowsPerSecond)} rows/s`,
  );
  return { cost, local, azurite: toAzurite, plainFs, freshness, soak };
}

async function withCollector(
  dir: string,
  destination: Parameters<typeof benchCollector>[1],
  fn: (collector: ReturnType<typeof benchCollector>) => Promise<SustainedRun>,
): Promise<SustainedRun> {
  const errors: string[] = [];
  const collector = benchCollector(dir, destination, errors);
  let run: SustainedRun;
  try {
    run = await fn(collector);
  } finally {
    await collector.close();
  }
  if (errors.length > 0) {
    throw new Error(`collector reported ${errors.length} errors, first: ${errors[0]}`);
  }
  return run;
}

function fmt(runs: SustainedRun[]): string {
  return Math.round(median(runs.map((r) => r.rowsPerSecond))).toLocaleString('en-US');
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** The soak runs in its own process (bench/soak-child.ts) so its RSS is the collector's alone. */
async function soakInChild(work: string, seconds: number): Promise<SoakResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', resolve('bench/soak-child.ts'), JSON.stringify({ work, seconds })],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as SoakResult;
}
