import { PassThrough } from 'node:stream';
import { createContext } from '../../cli/context.js';
import { runCli } from '../../cli/run-cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Pretend stdout/stderr are terminals. */
  tty?: boolean;
  stdin?: string;
  signal?: AbortSignal;
}

/** Runs the CLI in-process with captured streams (no process.exit, no real terminal). */
export async function runMdq(argv: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const stdout = capture(options.tty);
  const stderr = capture(options.tty);
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const context = createContext({
    env: { CI: 'true', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin,
    signal: options.signal ?? new AbortController().signal,
  });
  const code = await runCli(argv, context);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function capture(tty = false) {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
