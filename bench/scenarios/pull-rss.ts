import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Archive } from '../archive.js';

const execFileAsync = promisify(execFile);

export interface RssRun {
  /** Peak resident set of the whole pull process. */
  maxRssBytes: number;
  /** Peak before the pull started (Node + tsx + imports): what mdq itself adds is the difference. */
  baselineRss: number;
  seconds: number;
}

/** Runs one pull in a child process and reads the child's own max RSS (getrusage). */
export async function measurePullRss(
  connectionString: string,
  archive: Archive,
  dbPath: string,
): Promise<RssRun> {
  const child = resolve('bench/pull-child.ts');
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', child, JSON.stringify({ connectionString, archive, dbPath })],
    { maxBuffer: 1024 * 1024 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as RssRun;
}
