import type { Argv } from 'yargs';
import type { CliContext } from '../context.js';

/**
 * One CLI command. `builder` declares its flags; `run` reads the parsed args, calls one library
 * function, renders, and returns the exit code (or throws an MdqError). Nothing here exits.
 */
export interface Command {
  name: string;
  /** yargs command string, e.g. 'sql [query]'. */
  usage: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Record<string, unknown>, context: CliContext) => Promise<number>;
}
