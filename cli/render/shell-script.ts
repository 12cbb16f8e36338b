import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryError } from '../../src/errors.js';
import { type OutputFormat, type WriteResultOptions, writeQuery, writeResult } from './output.js';
import {
  changeDisplay,
  type Display,
  type DotCommand,
  isDotCommand,
  parseDotCommand,
  runCommandQuery,
} from './shell-commands.js';
import { splitStatements } from './shell-statements.js';
import { write } from './sink.js';

export interface RunScriptOptions {
  format: OutputFormat;
  tableLimit?: number | undefined;
  useColor: boolean;
  out: Writable;
  notes: Writable;
  signal: AbortSignal;
  table?: WriteResultOptions['table'];
  /** `out` is a terminal: csv, json and ndjson are escaped. */
  isTerminal?: boolean;
  openSideConnection?: () => Promise<DuckDBConnection>;
}

/** A statement or a dot-command line of a script, and the input line it starts on (1-based). */
export interface ScriptItem {
  text: string;
  line: number;
}

/**
 * Runs SQL read from a pipe (`cat report.sql | mdq sql`): statements in order, each result
 * written in the chosen format. Dot-commands work on lines of their own, as in the shell.
 * The first failing statement stops the script (its error propagates), like `psql -v ON_ERROR_STOP`,
 * and the error says which statement it was and where it starts in the input.
 */
export async function runScript(
  connection: DuckDBConnection,
  text: string,
  options: RunScriptOptions,
): Promise<void> {
  const items = scriptItems(text);
  // `.mode` and `\x` apply to the statements after them, as in the shell.
  let display: Display = { format: options.format, expanded: false };
  for (const [index, item] of items.entries()) {
    const command: DotCommand = isDotCommand(item.text)
      ? parseDotCommand(item.text)
      : { kind: 'query', sql: item.text };
    if (command.kind === 'quit') {
      return;
    }
    if (command.kind === 'text') {
      await write(options.notes, `${command.text}\n`);
      continue;
    }
    if (command.kind === 'display') {
      display = changeDisplay(display, command).display;
      continue;
    }
    const writeOptions = {
      format: display.format,
      tableLimit: options.tableLimit,
      useColor: options.useColor,
      notes: options.notes,
      table: { ...options.table, expanded: display.expanded && !command.describes },
      ...(options.isTerminal === undefined ? {} : { isTerminal: options.isTerminal }),
    };
    try {
      if (command.describes) {
        const result = await runCommandQuery(connection, command, options.signal);
        await writeResult(result, options.out, writeOptions);
      } else {
        // csv, json and ndjson of a SELECT are written by DuckDB itself (output.ts).
        await writeQuery(connection, command.sql, options.out, {
          ...writeOptions,
          signal: options.signal,
          ...(options.openSideConnection ? { openSideConnection: options.openSideConnection } : {}),
        });
      }
    } catch (error) {
      throw error instanceof QueryError && items.length > 1 ? inScript(error, item, index) : error;
    }
  }
}

/** The error of statement `index`, placed in the input: its number and lines counted from the top. */
function inScript(error: QueryError, item: ScriptItem, index: number): QueryError {
  const detail = [...error.detail];
  const at = detail.findIndex((line) => /^LINE \d+: /.test(line));
  const position = at === -1 ? undefined : /^LINE (\d+): /.exec(detail[at] ?? '');
  if (position) {
    // DuckDB counts lines from the statement's start; the caret line moves with the label.
    const label = position[0];
    const inputLabel = `LINE ${item.line + Number(position[1]) - 1}: `;
    detail[at] = `${inputLabel}${(detail[at] ?? '').slice(label.length)}`;
    if (detail[at + 1] !== undefined) {
      detail[at + 1] = `${' '.repeat(inputLabel.length - label.length)}${detail[at + 1]}`;
    }
  }
  return new QueryError(
    `statement ${index + 1} (from line ${item.line} of the input): ${error.message}`,
    {
      cause: error,
      detail,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    },
  );
}

/** Statements and dot-command lines, in input order; a trailing statement without `;` counts. */
export function scriptItems(text: string): ScriptItem[] {
  const items: ScriptItem[] = [];
  // Unconsumed input, untrimmed, from `pendingLine` on: line numbers stay true to the input.
  let pending = '';
  let pendingLine = 1;
  const lineOf = (offset: number) => pendingLine + countNewlines(pending.slice(0, offset));
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (pending.trim() === '' && isDotCommand(line)) {
      items.push({ text: line.trim(), line: index + 1 });
      pending = '';
      pendingLine = index + 2;
      continue;
    }
    pending += `${line}\n`;
    const { statements, starts, restStart } = splitStatements(pending);
    for (const [position, statement] of statements.entries()) {
      items.push({ text: statement, line: lineOf(starts[position] ?? 0) });
    }
    pendingLine = lineOf(restStart);
    pending = pending.slice(restStart);
  }
  if (pending.trim() !== '') {
    items.push({
      text: pending.trim(),
      line: lineOf(pending.length - pending.trimStart().length),
    });
  }
  return items;
}

function countNewlines(text: string): number {
  let count = 0;
  for (const char of text) {
    if (char === '\n') {
      count += 1;
    }
  }
  return count;
}
