import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Day } from '../../src/layout/types.js';
import { BENCH_SERVICE } from '../archive.js';
import { secondsSince } from '../stats.js';
import type { PullTarget } from './mdq-pull.js';

const execFileAsync = promisify(execFile);
const RSS_MARK = 'mdq-bench-rss ';

export interface CliPull {
  /** Wall time of the CLI process, Node's start-up included: what a user waits. */
  seconds: number;
  /** Peak resident set of the whole process (bench/rss-report.mjs). */
  maxRssBytes: number;
  /** Blobs the pull loaded, from its summary line. */
  blobsLoaded: number;
}

const isoDay = (day: Day) =>
  `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

/**
 * Runs the built CLI (`node dist/cli/main.js`, what users run; `npm run bench` builds it first)
 * in a child process, with bench/rss-report.mjs preloaded to report the child's peak RSS.
 */
async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Promise<{ stderr: string; maxRssBytes: number }> {
  const report = pathToFileURL(resolve('bench/rss-report.mjs')).href;
  const { stderr } = await execFileAsync(
    process.execPath,
    [...nodeArgs, '--import', report, resolve('dist/cli/main.js'), ...args],
    { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stderr.split('\n').find((l) => l.startsWith(RSS_MARK));
  if (line === undefined) {
    throw new Error('the mdq child did not report its peak RSS');
  }
  const { maxRssBytes } = JSON.parse(line.slice(RSS_MARK.length)) as { maxRssBytes: number };
  return { stderr, maxRssBytes };
}

/** Peak RSS of `mdq --version`: Node and mdq's imports, before any pulling. */
export async function cliBaselineRss(): Promise<number> {
  return (await runCli(['--version'], {})).maxRssBytes;
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
  const { stderr, maxRssBytes } = await runCli(
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
  const loaded = /^mdq pull: (\d+) blobs? loaded/m.exec(stderr)?.[1];
  if (loaded === undefined) {
    throw new Error(`no summary line in mdq pull's output: ${stderr.slice(-300)}`);
  }
  return { seconds, maxRssBytes, blobsLoaded: Number(loaded), stderr };
}
