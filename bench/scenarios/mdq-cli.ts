import type { Day } from '../../src/layout/types.js';
import { BENCH_SERVICE } from '../archive.js';
import { runMeasured } from '../measured-child.js';
import { secondsSince } from '../stats.js';
import type { PullTarget } from './mdq-pull.js';

export interface CliPull {
  /** Wall time of the CLI process, Node's start-up included: what a user waits. */
  seconds: number;
  /** Peak resident set of the whole process (bench/usage-report.mjs). */
  maxRssBytes: number;
  /** CPU seconds of the whole process, DuckDB's threads included. */
  cpuSeconds: number;
  /** Blobs the pull loaded, from its summary line. */
  blobsLoaded: number;
}

const isoDay = (day: Day) =>
  `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

/** The built CLI (`npm run bench` builds it first), run as users run it, in a child process. */
const CLI = 'dist/cli/main.js';

/** Peak RSS of `mdq --version`: Node and mdq's imports, before any pulling. */
export async function cliBaselineRss(): Promise<number> {
  return (await runMeasured(CLI, ['--version'])).maxRssBytes;
}

/**
 * `mdq pull --source az://<container>` of the archive's whole date range, exactly as a user
 * types it (default concurrency and batches), timed until the process exits: rows committed,
 * views created, database closed.
 */
export async function runCliPull(
  target: PullTarget,
  dbPath: string,
  nodeArgs: readonly string[] = [],
): Promise<CliPull & { stderr: string }> {
  const { archive } = target;
  const start = process.hrtime.bigint();
  const { stderr, maxRssBytes, cpuSeconds } = await runMeasured(
    CLI,
    [
      'pull',
      '--source',
      `az://${archive.container}`,
      '--service',
      BENCH_SERVICE,
      '--from',
      isoDay(archive.from),
      '--to',
      isoDay(archive.to),
      '--db',
      dbPath,
    ],
    { AZURE_STORAGE_CONNECTION_STRING: target.connectionString },
    nodeArgs,
  );
  const seconds = secondsSince(start);
  const loaded = /^mdq pull: ([\d,]+) blobs? loaded/m.exec(stderr)?.[1]?.replaceAll(',', '');
  if (loaded === undefined) {
    throw new Error(`no summary line in mdq pull's output: ${stderr.slice(-300)}`);
  }
  return { seconds, maxRssBytes, cpuSeconds, blobsLoaded: Number(loaded), stderr };
}
