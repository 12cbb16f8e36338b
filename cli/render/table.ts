import Table from 'cli-table3';
import stringWidth from 'string-width';
import type { Cell, ResultColumn } from '../../src/query/run.js';
import { escapeControl } from './escape.js';
import { plainText } from './formats/formatter.js';

export interface TableOptions {
  /** Colour the header and dim NULLs (only on a terminal without NO_COLOR). */
  useColor?: boolean;
  /** Longest cell shown, in characters; longer text ends in `…`. */
  maxCellWidth?: number;
  /**
   * The terminal's width: the table fits it, as DuckDB's CLI does, by truncating long values
   * and then leaving out middle columns (a `…` column marks where). Undefined: no limit.
   */
  width?: number | undefined;
  /** One line per column, a block per row (psql's `\x`, DuckDB's `.mode line`). */
  expanded?: boolean;
  /** Said under a table that left columns out: how to see them all. */
  hiddenColumnsHint?: string;
}

const DEFAULT_MAX_CELL_WIDTH = 60;
/** A cell is padded by a space on each side and followed by a border. */
const CELL_OVERHEAD = 3;
const ELIDED = '…';
/** Longest value an expanded row shows: one field, not a screenful of JSON. */
const MAX_EXPANDED_VALUE = 2000;
const DEFAULT_HIDDEN_HINT = 'use --format csv or json to see every column';

/**
 * A bordered table for people at a terminal: one line per row, no rule between rows.
 * cli-table3 colours by default even in a pipe and ignores NO_COLOR, so the style is set
 * explicitly. Every cell is escaped: data from outside never reaches the terminal raw.
 */
export function formatTable(
  columns: readonly ResultColumn[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  if (options.expanded) {
    return formatExpanded(columns, rows, options);
  }
  const heads = columns.map((column) => escapeControl(column.name));
  const texts = rows.map((row) => row.map(cellText));
  const widths = heads.map((head, index) =>
    Math.max(stringWidth(head), ...texts.map((row) => stringWidth(row[index] ?? ''))),
  );
  const layout = fitColumns(widths, options);
  /** The shown columns' values in order, with the `…` column where columns were left out. */
  const arrange = <T>(values: readonly T[], elided: T): T[] =>
    layout.columns.flatMap((index, position) => {
      const value = values[index] as T;
      return position === layout.elideAfter ? [value, elided] : [value];
    });
  const table = new Table({
    head: arrange(heads, ELIDED),
    style: { head: options.useColor ? ['cyan'] : [], border: [], compact: true },
    colWidths: arrange(
      layout.widths.map((width) => width + 2),
      ELIDED.length + 2,
    ),
    colAligns: arrange(
      columns.map((column) => (column.kind.endsWith('number') ? 'right' : 'left')),
      'left',
    ),
    truncate: '…',
    wordWrap: false,
  });
  for (const [index, row] of texts.entries()) {
    const cells = rows[index] ?? [];
    // NULL is no number: it stays left, and dim where colour is allowed.
    const shown = row.map((text, column) =>
      cells[column] === null
        ? { content: options.useColor ? dim(text) : text, hAlign: 'left' as const }
        : text,
    );
    table.push(arrange<Table.Cell>(shown, ELIDED));
  }
  const hidden = columns.length - layout.columns.length;
  const note =
    hidden > 0
      ? `${layout.columns.length} of ${columns.length} columns shown (${ELIDED} marks ${hidden} left out); ${options.hiddenColumnsHint ?? DEFAULT_HIDDEN_HINT}\n`
      : '';
  return `${table.toString()}\n${note}`;
}

interface ColumnLayout {
  /** Indexes of the columns shown, in order. */
  columns: number[];
  /** Width of every column's text (all columns, by index), after truncation. */
  widths: number[];
  /** Position in `columns` after which the `…` column goes; -1 when all are shown. */
  elideAfter: number;
}

/**
 * Which columns to show and how wide: long values are cut to a third of the screen (at least
 * 16 characters), then columns are taken from the left and the right in turn while they fit,
 * so the first and last columns (usually keys and results) stay in view.
 */
export function fitColumns(natural: readonly number[], options: TableOptions): ColumnLayout {
  const maxCell = options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH;
  const limit = options.width;
  const cap =
    limit === undefined ? maxCell : Math.min(maxCell, Math.max(16, Math.floor(limit / 3)));
  const widths = natural.map((width) => Math.max(1, Math.min(width, cap)));
  const all = widths.map((_, index) => index);
  const total = (indexes: readonly number[]) =>
    1 + indexes.reduce((sum, index) => sum + (widths[index] ?? 0) + CELL_OVERHEAD, 0);
  if (limit === undefined || total(all) <= limit) {
    return { columns: all, widths, elideAfter: -1 };
  }
  const room = limit - (ELIDED.length + CELL_OVERHEAD);
  const left: number[] = [];
  const right: number[] = [];
  for (let step = 0; left.length + right.length < widths.length; step += 1) {
    const fromLeft = step % 2 === 0;
    const next = fromLeft ? left.length : widths.length - 1 - right.length;
    if (total([...left, next, ...right]) > room) {
      break;
    }
    if (fromLeft) {
      left.push(next);
    } else {
      right.unshift(next);
    }
  }
  if (left.length === 0) {
    // Not even the first column fits whole: it gets what room there is.
    widths[0] = Math.max(1, room - 1 - CELL_OVERHEAD);
    left.push(0);
  }
  return { columns: [...left, ...right], widths, elideAfter: left.length - 1 };
}

/** psql's expanded display: a `-[ RECORD n ]` rule, then `name | value` per column. */
function formatExpanded(
  columns: readonly ResultColumn[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions,
): string {
  const names = columns.map((column) => escapeControl(column.name));
  const nameWidth = Math.max(0, ...names.map((name) => stringWidth(name)));
  const lines: string[] = [];
  for (const [index, row] of rows.entries()) {
    const title = `-[ RECORD ${index + 1} ]`;
    const rule = Math.max(0, Math.min(options.width ?? 40, 40) - title.length);
    lines.push(`${title}${'-'.repeat(rule)}`);
    for (const [position, name] of names.entries()) {
      const value = row[position] ?? null;
      const text = truncate(cellText(value), MAX_EXPANDED_VALUE);
      const shown = value === null && options.useColor ? dim(text) : text;
      lines.push(`${name}${' '.repeat(nameWidth - stringWidth(name))} | ${shown}`);
    }
  }
  return lines.length === 0 ? '(0 rows)\n' : `${lines.join('\n')}\n`;
}

function dim(text: string): string {
  return `\u001b[2m${text}\u001b[22m`;
}

function cellText(value: Cell): string {
  return value === null ? 'NULL' : escapeControl(plainText(value));
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(1, maxLength - 1))}…`;
}
