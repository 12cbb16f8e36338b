import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const USAGE_MARK = 'mdq-bench-usage ';

export interface MeasuredRun {
  stdout: string;
  stderr: string;
  /** Peak resident set of the whole child process (bench/usage-report.mjs). */
  maxRssBytes: number;
  /** CPU seconds (user + system, all threads) the child used. */
  cpuSeconds: number;
}

/**
 * Runs a Node script in a child process with bench/usage-report.mjs preloaded, so its peak RSS
 * and CPU are its own (the bench process holds archives and DuckDB instances of its own).
 */
export async function runMeasured(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): Promise<MeasuredRun> {
  const report = pathToFileURL(resolve('bench/usage-report.mjs')).href;
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    [...nodeArgs, '--import', report, resolve(script), ...args],
    { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stderr?: string }) => {
    // execFile's own message is the command line; the child's error says what went wrong.
    const reason = /^\[?\w*Error: .*$/m.exec(error.stderr ?? '')?.[0] ?? String(error);
    throw new Error(`${script} failed: ${reason}`);
  });
  const line = stderr.split('\n').find((l) => l.startsWith(USAGE_MARK));
  if (line === undefined) {
    throw new Error(`${script} did not report its peak RSS and CPU`);
  }
  const usage = JSON.parse(line.slice(USAGE_MARK.length)) as Omit<MeasuredRun, 'stdout' | 'stderr'>;
  return { stdout, stderr, ...usage };
}
