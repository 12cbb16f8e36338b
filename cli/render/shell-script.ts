import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type OutputFormat, writeQuery } from './output.js';
import { isDotCommand, parseDotCommand } from './shell-commands.js';
import { splitStatements } from './shell-statements.js';
import { write } from './sink.js';

export interface RunScriptOptions {
  format: OutputFormat;
  tableLimit?: number | undefined;
  useColor: boolean;
  out: Writable;
  notes: Writable;
  signal: AbortSignal;
  isTerminal?: boolean;
  openSideConnection?: () => Promise<DuckDBConnection>;
}

/**
 * Runs SQL read from a pipe (`cat report.sql | mdq sql`): statements in order, each result
 * written in the chosen format. Dot-commands work on lines of their own, as in the shell.
 * The first failing statement stops the script (its error propagates), like `psql -v ON_ERROR_STOP`.
 */
export async function runScript(
  connection: DuckDBConnection,
  text: string,
  options: RunScriptOptions,
): Promise<void> {
  for (const item of scriptItems(text)) {
    let sql = item;
    if (isDotCommand(item)) {
      const command = parseDotCommand(item);
      if (command.kind === 'quit') {
        return;
      }
      if (command.kind === 'text') {
        await write(options.notes, `${command.text}\n`);
        continue;
      }
      sql = command.sql;
    }
    await writeQuery(connection, sql, options.out, options);
  }
}

/** Statements and dot-command lines, in input order; a trailing statement without `;` counts. */
export function scriptItems(text: string): string[] {
  const items: string[] = [];
  let pending = '';
  for (const line of text.split(/\r?\n/)) {
    if (pending.trim() === '' && isDotCommand(line)) {
      items.push(line.trim());
      continue;
    }
    pending += `${line}\n`;
    const { statements, rest } = splitStatements(pending);
    items.push(...statements);
    // rest comes back trimmed; its line end matters (a `-- comment` must not swallow the next line).
    pending = rest === '' ? '' : `${rest}\n`;
  }
  if (pending.trim() !== '') {
    items.push(pending.trim());
  }
  return items;
}
