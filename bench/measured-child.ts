import { execFile, spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
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
  return { stdout, stderr, ...usageOf(script, stderr) };
}

/**
 * The same, with the child's stdout going where a user's would: into a file (`> file`), into a
 * socket this process reads and drops (what Node's `spawn` gives a child), or into a shell
 * pipeline's pipe read by `cat > /dev/null` (`| cat`). Resolves with its stderr.
 */
export async function runMeasuredWithStdout(
  script: string,
  args: readonly string[],
  stdout: { file: string } | 'pipe' | 'cat',
): Promise<Omit<MeasuredRun, 'stdout'>> {
  const report = pathToFileURL(resolve('bench/usage-report.mjs')).href;
  const file = typeof stdout === 'object' ? await open(stdout.file, 'w') : undefined;
  const command = [process.execPath, '--import', report, resolve(script), ...args];
  try {
    const child =
      stdout === 'cat'
        ? spawn('bash', ['-c', 'set -o pipefail; "$@" | cat > /dev/null', 'bash', ...command], {
            stdio: ['ignore', 'ignore', 'pipe'],
          })
        : spawn(command[0] ?? '', command.slice(1), {
            stdio: ['ignore', file ? file.fd : 'pipe', 'pipe'],
          });
    child.stdout?.resume();
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', done);
    });
    if (code !== 0) {
      throw new Error(`${script} ${args[0] ?? ''} exited ${code}: ${stderr.slice(-500)}`);
    }
    return { stderr, ...usageOf(script, stderr) };
  } finally {
    await file?.close();
  }
}

function usageOf(script: string, stderr: string): Omit<MeasuredRun, 'stdout' | 'stderr'> {
  const line = stderr.split('\n').find((l) => l.startsWith(USAGE_MARK));
  if (line === undefined) {
    throw new Error(`${script} did not report its peak RSS and CPU`);
  }
  return JSON.parse(line.slice(USAGE_MARK.length)) as Omit<MeasuredRun, 'stdout' | 'stderr'>;
}
