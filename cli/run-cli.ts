import yargs, { type Argv } from 'yargs';
import { MdqError, UsageError } from '../src/errors.js';
import type { Command } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import type { CliContext } from './context.js';
import { exitCodeOf, formatError } from './render/errors.js';
import { type CommandLine, helpHint, notANumber, usageError } from './usage-errors.js';
import { mdqVersion } from './version.js';

/** Options every command accepts, from mdq itself. */
const GLOBAL_OPTIONS = ['debug', 'help', 'h', 'version'];
const NO_COMMAND = 'name a command';

/**
 * Parses argv, runs one command and returns its exit code. Never exits and never throws, so
 * tests call it in-process with captured streams; `main.ts` owns the process.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const line = commandLine(argv);
  let exitCode = 0;
  let failure: unknown;
  const parser = yargs()
    .scriptName('mdq')
    .usage(
      'mdq: model data collection: collect, pull, query and export scoring data\n\nUsage: $0 <command> [options]',
    )
    .strict()
    .strictCommands()
    .demandCommand(1, NO_COMMAND)
    .option('debug', { type: 'boolean', describe: 'Show stack traces for errors', global: true })
    .help()
    .alias('h', 'help')
    .version(mdqVersion())
    .wrap(Math.min(100, context.stderr.columns ?? 100))
    .exitProcess(false)
    // Throw, not just record: yargs goes on to run the command after a fail() handler that
    // returns, so `mdq pull --frm 2024-01-01` used to pull everything, then report the typo.
    .fail((message, error) => {
      failure = error ?? usageError(message ?? 'invalid command line', line);
      throw failure;
    });
  for (const command of COMMANDS) {
    let numberOptions: string[] = [];
    parser.command(
      command.usage,
      command.describe,
      (args) => {
        const built = command.builder(args);
        numberOptions = optionTable(built).number;
        return requireOptionValues(built, command);
      },
      async (args) => {
        const problem = notANumber(args, numberOptions, line);
        if (problem) {
          throw problem;
        }
        exitCode = await command.run(args as Record<string, unknown>, context);
      },
    );
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
    const error = toMdqError(failure, line);
    if (line.command === undefined && error instanceof UsageError && error.message === NO_COMMAND) {
      // `mdq` alone: what there is to run, as git and psql answer.
      context.stderr.write(`${await parser.getHelp()}\n\n`);
    }
    context.stderr.write(formatError(error, { debug: argv.includes('--debug') }));
    return exitCodeOf(error);
  }
  if (helpText) {
    // --help is what the user asked for: data, so stdout.
    context.stdout.write(`${helpText}\n`);
  }
  return exitCode;
}

function toMdqError(error: unknown, line: CommandLine): unknown {
  // yargs reports validation problems as plain Errors named YError.
  if (error instanceof Error && error.name === 'YError' && !(error instanceof MdqError)) {
    return usageError(error.message, line);
  }
  // A command's own usage error without a hint still says where the command's options are.
  if (error instanceof UsageError && error.hint === undefined) {
    return new UsageError(error.message, { hint: helpHint(line.command), cause: error.cause });
  }
  return error;
}

function commandLine(argv: readonly string[]): CommandLine {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const command = COMMANDS.find((candidate) => candidate.name === named);
  return {
    argv,
    command: command?.name,
    commands: COMMANDS.map((candidate) => candidate.name),
    options: command ? [...GLOBAL_OPTIONS, ...optionNames(command)] : GLOBAL_OPTIONS,
  };
}

/** The part of yargs' option table mdq reads (yargs has it, its typings do not). */
interface OptionTable {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  string: string[];
  number: string[];
  array: string[];
}

function optionTable(args: Argv): OptionTable {
  return (args as unknown as { getOptions(): OptionTable }).getOptions();
}

function optionNames(command: Command): string[] {
  const table = optionTable(command.builder(yargs()));
  return [...Object.keys(table.key), ...Object.values(table.alias).flat()];
}

/**
 * A text option given no value (`mdq sql --db`) is an error, not an empty string: an empty
 * --db opened the current folder. Lists (--identifier) and positionals keep yargs' rules.
 */
function requireOptionValues(args: Argv, command: Command): Argv {
  const table = optionTable(args);
  const lists = new Set(table.array);
  for (const name of table.string) {
    if (!lists.has(name) && !command.usage.includes(`[${name}]`)) {
      args.requiresArg(name);
    }
  }
  return args;
}
