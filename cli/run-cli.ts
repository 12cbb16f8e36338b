import yargs from 'yargs';
import { MdqError, UsageError } from '../src/errors.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext } from './context.js';
import { exitCodeOf, formatError } from './render/errors.js';
import { mdqVersion } from './version.js';

/**
 * Parses argv, runs one command and returns its exit code. Never exits and never throws, so
 * tests call it in-process with captured streams; `main.ts` owns the process.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  let exitCode = 0;
  let failure: unknown;
  const parser = yargs()
    .scriptName('mdq')
    .usage(
      'mdq: model data collection: collect, pull, query and export scoring data\n\nUsage: $0 <command> [options]',
    )
    .strict()
    .strictCommands()
    .demandCommand(1, 'name a command; see the list above')
    .option('debug', { type: 'boolean', describe: 'Show stack traces for errors', global: true })
    .help()
    .alias('h', 'help')
    .version(mdqVersion())
    .wrap(Math.min(100, context.stderr.columns ?? 100))
    .exitProcess(false)
    // Throw, not just record: yargs goes on to run the command after a fail() handler that
    // returns, so `mdq pull --frm 2024-01-01` used to pull everything, then report the typo.
    .fail((message, error) => {
      failure =
        error ?? new UsageError(message ?? 'invalid command line', { hint: 'run mdq --help' });
      throw failure;
    });
  for (const command of COMMANDS) {
    parser.command(command.usage, command.describe, command.builder, async (args) => {
      exitCode = await command.run(args as Record<string, unknown>, context);
    });
  }
  let helpText = '';
  try {
    await parser.parseAsync([...argv], {}, (_err, _args, output) => {
      helpText = output;
    });
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) {
    const debug = argv.includes('--debug');
    context.stderr.write(formatError(toMdqError(failure), { debug }));
    return exitCodeOf(toMdqError(failure));
  }
  if (helpText) {
    // --help is what the user asked for: data, so stdout.
    context.stdout.write(`${helpText}\n`);
  }
  return exitCode;
}

function toMdqError(error: unknown): unknown {
  // yargs reports validation problems as plain Errors named YError.
  if (error instanceof Error && error.name === 'YError' && !(error instanceof MdqError)) {
    return new UsageError(error.message, { hint: 'run mdq --help' });
  }
  return error;
}
