import { resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

/** The CLI's command line, run from source (as the other CLI tests do). */
export function cli(args: string[]): string[] {
  return [process.execPath, '--import', 'tsx', resolve(REPO, 'cli/main.ts'), ...args];
}

/** Arguments quoted for `bash -c`. */
export function shellLine(args: string[]): string {
  return args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
}
