import { MdqError } from '../../src/errors.js';
import { redactSecrets } from '../../src/secrets.js';
import { escapeControl } from './escape.js';

/**
 * Turns a thrown value into what the user sees on stderr. An MdqError is the user's problem:
 * one line (and its detail, such as the SQL with a caret under the fault) plus a hint, no stack. Anything else is a bug in mdq: its stack, and where to report.
 * Every line goes through redactSecrets, whatever produced it.
 */
export function formatError(error: unknown, options: { debug?: boolean } = {}): string {
  if (error instanceof MdqError) {
    const lines = [`mdq: ${oneLine(error.message)}`];
    // Indented as a block, each line kept apart: a caret must stay under its column.
    lines.push(...error.detail.map((line) => `  ${escapeControl(line.replace(/[\r\n]+/g, ' '))}`));
    if (error.hint) {
      lines.push(`hint: ${oneLine(error.hint)}`);
    }
    if (options.debug && error.stack) {
      lines.push(error.stack);
    }
    return redactSecrets(`${lines.join('\n')}\n`);
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return redactSecrets(
    `mdq: internal error: ${detail}\nhint: this is a bug in mdq; please report it with the command you ran\n`,
  );
}

export function exitCodeOf(error: unknown): number {
  return error instanceof MdqError ? error.exitCode : 1;
}

/** One line, and no terminal control: messages quote blob names and cells from outside. */
function oneLine(text: string): string {
  return escapeControl(text.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}
