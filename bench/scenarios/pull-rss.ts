import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Day } from '../../src/layout/types.js';
import { type Archive, BENCH_SERVICE } from '../archive.js';
import { secondsSince } from '../stats.js';

const execFileAsync = promisify(execFile);

export interface RssRun {
  /** Peak resident set of the whole `mdq pull` process. */
  maxRssBytes: number;
  /** Peak of `mdq --version` (Node and mdq's imports): what the pull adds is the difference. */
  baselineRss: number;
  /** Wall time of the CLI process, start-up included. */
  seconds: number;
}

const isoDay = (day: Day) =>
  `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;

/**
 * Runs the built CLI (`node dist/cli/main.js`, what users run; `npm run bench` builds it first)
 * in a child process and reads the child's own peak RSS through bench/rss-report.mjs.
 */
async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const report = pathToFileURL(resolve('bench/rss-report.mjs')).href;
  const { stderr } = await execFileAsync(
    process.execPath,
    ['--import', report, resolve('dist/cli/main.js'), ...args],
    { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stderr.split('\n').find((l) => l.startsWith('mdq-bench-rss '));
  if (line === undefined) {
    throw new Error('the mdq child did not report its peak RSS');
  }
  return (JSON.parse(line.slice('mdq-bench-rss '.length)) as { maxRssBytes: number }).maxRssBytes;
}

/** `mdq pull --source az://<container>` of the whole archive, as a user would type it. */
export async function measurePullRss(
  connectionString: string,
  archive: Archive,
  dbPath: string,
): Promise<RssRun> {
  const env = { AZURE_STORAGE_CONNECTION_STRING: connectionString, CI: '1' };
  const baselineRss = await runCli(['--version'], env);
  const start = process.hrtime.bigint();
  const maxRssBytes = await runCli(
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
    env,
  );
  return { maxRssBytes, baselineRss, seconds: secondsSince(start) };
}
