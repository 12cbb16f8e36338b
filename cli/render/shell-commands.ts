import type { DuckDBConnection } from '@duckdb/node-api';
import { USER_RELATIONS_SQL } from '../../src/query/describe.js';
import { type QueryStream, queryRows, streamQuery } from '../../src/query/run.js';
import { quoteIdentifier } from '../../src/query/sql.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';

/**
 * The shell's dot-commands (and psql's backslash ones people type out of habit). Each becomes
 * SQL to run (so it renders like any result), a change of display, a text to show, or the
 * request to leave.
 */
export type DotCommand =
  /** `describes`: a relation's columns, shown as a table without DuckDB's all-NULL columns. */
  | { kind: 'query'; sql: string; describes?: boolean }
  | { kind: 'display'; format?: OutputFormat; expanded?: boolean | 'toggle' }
  | { kind: 'text'; text: string }
  | { kind: 'quit' };

/** How the shell (or a script) shows results: a format, and for tables, expanded rows or not. */
export interface Display {
  format: OutputFormat;
  expanded: boolean;
}

/** Every command, for `.help` and tab completion. */
export const DOT_COMMANDS = [
  '.tables',
  '.schema',
  '.mode',
  '.help',
  '.quit',
  '.exit',
  '\\x',
  '\\d',
  '\\q',
] as const;

export const SHELL_HELP = [
  'Statements end with ; and may span lines. Tab completes commands, tables and columns;',
  'Up/Down recall history; Left/Right, Home/End, Ctrl-A/E/U/W/K, Alt-B/F and Ctrl-L edit as in',
  'bash. Ctrl-C cancels a running query (or clears the line); .quit or Ctrl-D leaves.',
  '  .tables            tables and views in the database (also \\d)',
  '  .schema <table>    columns and types of a table or view (also \\d <table>)',
  '  .mode line|table   one line per column, or a table (also csv, json, ndjson, markdown)',
  '  \\x [on|off]        expanded display: one line per column (as .mode line)',
  '  .help              this text',
  '  .quit              leave the shell (also .exit, \\q)',
].join('\n');

const TABLE_MODES = new Set(['table', 'box', 'duckbox']);

export function isDotCommand(line: string): boolean {
  return /^[.\\]/.test(line.trimStart());
}

export function parseDotCommand(line: string): DotCommand {
  const [name = '', ...args] = line.trim().replace(/;$/, '').split(/\s+/);
  const argument = args.join(' ');
  switch (name.toLowerCase()) {
    case '.tables':
      return { kind: 'query', sql: USER_RELATIONS_SQL };
    case '\\d':
      return argument === '' ? { kind: 'query', sql: USER_RELATIONS_SQL } : schemaOf(argument);
    case '.schema':
      return argument === ''
        ? { kind: 'text', text: 'usage: .schema <table>' }
        : schemaOf(argument);
    case '.mode':
      return modeOf(argument);
    case '\\x':
      return expandedOf(argument);
    case '.help':
    case '\\?':
      return { kind: 'text', text: SHELL_HELP };
    case '.quit':
    case '.exit':
    case '\\q':
      return { kind: 'quit' };
    default:
      return { kind: 'text', text: `unknown command ${name}; .help lists them` };
  }
}

/** The display after a `.mode` or `\x`, and what to tell the user (psql's words for `\x`). */
export function changeDisplay(
  display: Display,
  command: Extract<DotCommand, { kind: 'display' }>,
): { display: Display; text: string } {
  if (command.expanded !== undefined) {
    const expanded = command.expanded === 'toggle' ? !display.expanded : command.expanded;
    return {
      display: { format: 'table', expanded },
      text: `Expanded display is ${expanded ? 'on' : 'off'}.`,
    };
  }
  const format = command.format ?? display.format;
  return { display: { format, expanded: false }, text: `mode ${format}` };
}

/** Runs a command's SQL; `.schema` drops the columns DuckDB leaves NULL throughout (key, default, extra). */
export async function runCommandQuery(
  connection: DuckDBConnection,
  command: Extract<DotCommand, { kind: 'query' }>,
  signal: AbortSignal,
): Promise<QueryStream> {
  if (!command.describes) {
    return streamQuery(connection, command.sql, { signal });
  }
  const { columns, rows } = await queryRows(connection, command.sql, { signal });
  const kept = columns.flatMap((_, index) =>
    rows.some((row) => row[index] !== null && row[index] !== '') ? [index] : [],
  );
  return {
    columns: kept.map((index) => columns[index] as (typeof columns)[number]),
    async *chunks() {
      yield rows.map((row) => kept.map((index) => row[index] ?? null));
    },
  };
}

function schemaOf(table: string): DotCommand {
  return { kind: 'query', sql: `describe ${quoteIdentifier(table)}`, describes: true };
}

function modeOf(mode: string): DotCommand {
  const wanted = mode.toLowerCase();
  if (wanted === 'line') {
    return { kind: 'display', expanded: true };
  }
  if (TABLE_MODES.has(wanted)) {
    return { kind: 'display', format: 'table' };
  }
  if ((OUTPUT_FORMATS as readonly string[]).includes(wanted)) {
    return { kind: 'display', format: wanted as OutputFormat };
  }
  return { kind: 'text', text: 'usage: .mode line|table|csv|json|ndjson|markdown' };
}

function expandedOf(argument: string): DotCommand {
  switch (argument.toLowerCase()) {
    case '':
      return { kind: 'display', expanded: 'toggle' };
    case 'on':
      return { kind: 'display', expanded: true };
    case 'off':
      return { kind: 'display', expanded: false };
    default:
      return { kind: 'text', text: 'usage: \\x [on|off]' };
  }
}
