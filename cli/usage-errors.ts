import { UsageError } from '../src/errors.js';
import { closest } from './closest.js';

/** What a usage error is about: the command line, and what mdq and the command accept. */
export interface CommandLine {
  argv: readonly string[];
  /** The command the line names, when it is one of mdq's. */
  command: string | undefined;
  commands: readonly string[];
  /** Every option the command (and mdq itself) accepts, as written after `--`. */
  options: readonly string[];
}

/** Where to look next: the named command's own help, which lists its options and examples. */
export function helpHint(command: string | undefined): string {
  return command === undefined ? 'run mdq --help' : `run mdq ${command} --help`;
}

/**
 * yargs' validation messages in mdq's words: options with their `--`, a "did you mean" for a
 * mistyped command or option, and a hint naming the help of the command at hand. A mistyped
 * option is reported before anything it caused (`--servce x` also makes --service missing).
 */
export function usageError(message: string, line: CommandLine): UsageError {
  const hint = helpHint(line.command);
  const unknown = unknownOptions(line);
  if (unknown.length > 0) {
    const named = unknown.map((name) => {
      const suggestion = name.length === 1 ? undefined : closest(name, line.options);
      return suggestion === undefined
        ? flag(name)
        : `${flag(name)} (did you mean --${suggestion}?)`;
    });
    return new UsageError(`unknown option${unknown.length === 1 ? '' : 's'} ${named.join(', ')}`, {
      hint,
    });
  }
  // After a command, yargs calls a stray word an unknown command too: it is an extra argument.
  const command = /^Unknown commands?: (.+)$/.exec(message)?.[1];
  if (command !== undefined && line.command === undefined) {
    const suggestion = closest(command, line.commands);
    return new UsageError(
      `unknown command ${command}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`,
      { hint: suggestion === undefined ? hint : helpHint(suggestion) },
    );
  }
  const extra = /^Unknown (?:arguments?|commands?): (.+)$/.exec(message)?.[1];
  if (extra !== undefined) {
    const values = extra.split(', ');
    return new UsageError(
      `unexpected argument${values.length === 1 ? '' : 's'} ${values.map((value) => JSON.stringify(value)).join(', ')}`,
      {
        hint:
          line.command === 'sql'
            ? 'put the whole query in quotes: mdq sql "select … from …"'
            : `${hint} (values with spaces need quotes)`,
      },
    );
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message)?.[1];
  if (missing !== undefined) {
    const names = missing.split(', ').map(flag);
    return new UsageError(`${joinAnd(names)} ${names.length === 1 ? 'is' : 'are'} required`, {
      hint,
    });
  }
  const [, first, second] =
    /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message) ?? [];
  if (first !== undefined && second !== undefined) {
    return new UsageError(`${flag(first)} and ${flag(second)} cannot be used together`, { hint });
  }
  const needsValue = /^Not enough arguments following: (\S+)$/.exec(message)?.[1];
  if (needsValue !== undefined) {
    return new UsageError(`${flag(needsValue)} needs a value`, { hint });
  }
  const invalid = invalidChoice(message);
  if (invalid !== undefined) {
    return new UsageError(invalid, { hint });
  }
  return new UsageError(message, { hint });
}

/**
 * A number option given text (`--requests abc`), which yargs turns into NaN: the error quotes
 * what was typed. Undefined when every number option holds a number.
 */
export function notANumber(
  args: Record<string, unknown>,
  numberOptions: readonly string[],
  line: CommandLine,
): UsageError | undefined {
  for (const name of numberOptions) {
    const values = ([] as unknown[]).concat(args[name]);
    if (values.some((value) => typeof value === 'number' && Number.isNaN(value))) {
      const typed = typedValue(line.argv, name);
      return new UsageError(
        `--${name} must be a number, got ${typed === undefined ? 'none' : JSON.stringify(typed)}`,
        { hint: helpHint(line.command) },
      );
    }
  }
  return undefined;
}

function typedValue(argv: readonly string[], name: string): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg.startsWith(`--${name}=`)) {
      return arg.slice(name.length + 3);
    }
    if (arg === `--${name}`) {
      return argv[index + 1];
    }
  }
  return undefined;
}

/** `--name` and `-x` flags on the line that neither the command nor mdq knows (values are not checked). */
function unknownOptions(line: CommandLine): string[] {
  const known = new Set(line.options);
  const unknown: string[] = [];
  for (const arg of line.argv) {
    if (arg === '--') {
      break;
    }
    const name = /^(?:--([A-Za-z][\w-]*)(?:=|$)|-([A-Za-z])$)/.exec(arg)?.slice(1).find(Boolean);
    if (name === undefined) {
      continue;
    }
    const kebab = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    const negated = name.startsWith('no-') ? name.slice(3) : undefined;
    if (!known.has(name) && !known.has(kebab) && !(negated && known.has(negated))) {
      unknown.push(name);
    }
  }
  return unknown;
}

/** yargs: `Invalid values:\n  Argument: format, Given: "xx", Choices: "table", "csv"`. */
function invalidChoice(message: string): string | undefined {
  if (!message.startsWith('Invalid values:')) {
    return undefined;
  }
  const problems = [...message.matchAll(/Argument: (\S+), Given: (.+), Choices: (.+)/g)].map(
    ([, name, given, choices]) =>
      `${flag(name ?? '')} ${given} is not one of ${(choices ?? '').replaceAll('"', '')}`,
  );
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** How the option is typed: `--db`, `-o`. */
function flag(name: string): string {
  return `${name.length === 1 ? '-' : '--'}${name}`;
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
