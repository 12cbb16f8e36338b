import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MEMORY_LIMITS, memoryLimitSetting } from '../../src/query/pull/memory-budget.js';
import { type Archive, type ArchiveSpec, generateArchive } from '../archive.js';
import type { BenchAzurite } from '../azurite.js';
import { type Azcopy, runAzcopy } from '../baselines/azcopy.js';
import {
  type LimitRun,
  type LoadRun,
  loadKnownColumns,
  runRawLimit,
} from '../baselines/raw-limit.js';
import { mib, timed } from '../stats.js';
import { cliBaselineRss, runCliPull } from './mdq-cli.js';
import { countPulledRows } from './mdq-pull.js';
import { profilePull } from './pull-profile.js';

export interface PullScenarioResult {
  name: string;
  archive: Archive;
  generationSeconds: number;
  /** Seconds per `mdq pull` (the built CLI in a child process). */
  mdq: number[];
  /** Peak RSS of each of those pulls. */
  mdqRss: number[];
  /** CPU seconds of each of those pulls: mdq's process, and Azurite serving it. */
  mdqCpu: Array<{ process: number; server: number }>;
  /** Peak RSS of `mdq --version`: what the CLI costs before pulling anything. */
  baselineRss: number;
  /** Seconds per azcopy run, or why azcopy could not run. */
  azcopy: number[] | string;
  limit: LimitRun[];
  /** The limit's load once more, under mdq's starting memory limit: DuckDB's share of mdq's RSS. */
  loadAtMdqLimit?: LoadRun;
  noop: number[];
  /** Where one more pull spent its time (`profile` option), as markdown lines. */
  profile: string[];
  /** Problems that make the figures suspect (row counts that do not add up). */
  problems: string[];
}

export interface PullScenarioOptions {
  name: string;
  spec: ArchiveSpec;
  runs: number;
  limitConcurrency: number;
  /** Profile one more pull (scenarios/pull-profile.ts) after the timed runs. */
  profile: boolean;
  azcopy: Azcopy;
  log: (line: string) => void;
}

/**
 * One pull scenario: generate the archive, then per round one mdq pull, one azcopy and one raw
 * limit run (interleaved so machine noise spreads over all three), then no-op re-pulls of the
 * last database, then (optionally) a pull in a child process for its peak RSS.
 */
export async function runPullScenario(
  azurite: BenchAzurite,
  options: PullScenarioOptions,
): Promise<PullScenarioResult> {
  const { log } = options;
  const container = await azurite.container('bench');
  const generated = await timed(() => generateArchive(container, options.spec));
  const archive = generated.value;
  log(
    `${options.name}: ${archive.blobs} blobs, ${(archive.bytes / 1e6).toFixed(1)} MB generated in ${generated.seconds.toFixed(1)} s`,
  );
  const target = { connectionString: azurite.connectionString, archive };
  const expectedRows = archive.rows.inputs + archive.rows.predictions;
  const result: PullScenarioResult = {
    name: options.name,
    archive,
    generationSeconds: generated.seconds,
    mdq: [],
    mdqRss: [],
    mdqCpu: [],
    baselineRss: await cliBaselineRss(),
    azcopy: options.azcopy.ok ? [] : options.azcopy.reason,
    limit: [],
    noop: [],
    profile: [],
    problems: [],
  };
  const work = await mkdtemp(join(tmpdir(), 'mdq-bench-'));
  try {
    let lastDb = '';
    for (let run = 0; run < options.runs; run++) {
      const dbPath = join(work, `pull-${run}`, 'mdq.duckdb');
      const serverCpu = azurite.cpuSeconds();
      const pulled = await runCliPull(target, dbPath);
      result.mdq.push(pulled.seconds);
      result.mdqRss.push(pulled.maxRssBytes);
      result.mdqCpu.push({ process: pulled.cpuSeconds, server: azurite.cpuSeconds() - serverCpu });
      const counts = await countPulledRows(dbPath);
      if (
        counts.inputs !== archive.rows.inputs ||
        counts.predictions !== archive.rows.predictions
      ) {
        result.problems.push(
          `mdq pull loaded ${JSON.stringify(counts)}, expected ${JSON.stringify(archive.rows)}`,
        );
      }
      log(
        `${options.name}: mdq pull ${pulled.seconds.toFixed(2)} s (${pulled.blobsLoaded} blobs, peak RSS ${mib(pulled.maxRssBytes)})`,
      );
      if (lastDb !== '') {
        await rm(join(lastDb, '..'), { recursive: true, force: true });
      }
      lastDb = dbPath;

      if (options.azcopy.ok && Array.isArray(result.azcopy)) {
        const dir = join(work, `azcopy-${run}`);
        try {
          const copied = await runAzcopy(options.azcopy, azurite.sasUrl(archive.container), dir);
          result.azcopy.push(copied.seconds);
          if (copied.files !== archive.blobs) {
            result.problems.push(`azcopy copied ${copied.files} files of ${archive.blobs}`);
          }
          log(`${options.name}: azcopy ${copied.seconds.toFixed(2)} s`);
        } catch (error) {
          result.azcopy =
            error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
          log(`${options.name}: ${result.azcopy}`);
        }
        await rm(dir, { recursive: true, force: true });
      }

      const limitDir = join(work, `limit-${run}`);
      const limit = await runRawLimit(
        container,
        limitDir,
        options.limitConcurrency,
        azurite.cpuSeconds,
      );
      result.limit.push(limit);
      if (limit.rows !== expectedRows) {
        result.problems.push(`limit loaded ${limit.rows} rows, expected ${expectedRows}`);
      }
      log(
        `${options.name}: limit ${limit.seconds.toFixed(2)} s (download ${limit.downloadSeconds.toFixed(2)} s, load ${limit.loadSeconds.toFixed(2)} s, load's peak RSS ${mib(limit.loadRssBytes)})`,
      );
      if (run === options.runs - 1) {
        const memoryLimit = memoryLimitSetting(DEFAULT_MEMORY_LIMITS.initialBytes);
        try {
          const load = await loadKnownColumns(
            join(limitDir, 'at-mdq-limit.duckdb'),
            limit.files,
            memoryLimit,
          );
          result.loadAtMdqLimit = load;
          if (load.rows !== expectedRows) {
            result.problems.push(
              `load at ${memoryLimit} loaded ${load.rows} rows, expected ${expectedRows}`,
            );
          }
          log(
            `${options.name}: the limit's load at memory_limit ${memoryLimit}: ${load.seconds.toFixed(2)} s, peak RSS ${mib(load.maxRssBytes)}`,
          );
        } catch (error) {
          // A baseline that cannot run is reported, not fatal to the other figures.
          const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
          result.problems.push(`the limit's load at ${memoryLimit} failed: ${reason}`);
        }
      }
      await rm(limitDir, { recursive: true, force: true });
    }
    for (let run = 0; run < options.runs; run++) {
      const again = await runCliPull(target, lastDb);
      result.noop.push(again.seconds);
      if (again.blobsLoaded !== 0) {
        result.problems.push(`no-op re-pull loaded ${again.blobsLoaded} blobs`);
      }
    }
    log(`${options.name}: no-op re-pull ${result.noop.map((s) => s.toFixed(2)).join(', ')} s`);
    await rm(join(lastDb, '..'), { recursive: true, force: true });
    if (options.profile) {
      result.profile = await profilePull(
        target,
        join(work, 'profiled', 'mdq.duckdb'),
        join(work, 'profiles'),
      );
      log(`${options.name}: ${result.profile[0]?.slice(2) ?? 'profiled'}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await azurite.service
      .getContainerClient(archive.container)
      .delete()
      .catch(() => undefined);
  }
  return result;
}
