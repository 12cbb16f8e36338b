import type { Writable } from 'node:stream';
import type { Env } from '../src/config.js';

/**
 * What a command needs from the process, resolved once at the edge and passed down, so commands
 * can run in-process in tests with captured streams and a fake TTY.
 */
export interface CliContext {
  env: Env;
  cwd: string;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** stdout is a terminal (table output, bounded rows). */
  isStdoutTTY: boolean;
  /** stderr is a terminal and not CI: ink views are allowed there. */
  isInteractive: boolean;
  /** Colour allowed (not NO_COLOR, and the target stream is a TTY). */
  useColor: boolean;
  /** Fires on Ctrl-C; long work stops and the command exits 130. */
  signal: AbortSignal;
}

export function createContext(
  options: Pick<CliContext, 'env' | 'cwd' | 'stdout' | 'stderr' | 'stdin' | 'signal'>,
): CliContext {
  const isCI = options.env.CI !== undefined && options.env.CI !== '' && options.env.CI !== 'false';
  const isStdoutTTY = options.stdout.isTTY === true;
  const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
  return {
    ...options,
    isStdoutTTY,
    isInteractive: options.stderr.isTTY === true && !isCI,
    useColor: isStdoutTTY && !noColor,
  };
}

/** The width of the terminal stdout writes to; undefined for a pipe or a file. */
export function terminalWidth(context: CliContext): number | undefined {
  return context.isStdoutTTY ? context.stdout.columns : undefined;
}
