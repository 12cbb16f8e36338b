import Table from 'cli-table3';
import type { Cell, ResultColumn } from '../../src/query/run.js';
import { escapeControl } from './escape.js';
import { plainText } from './formats/formatter.js';

export interface TableOptions {
  /** Colour the header (only on a terminal without NO_COLOR). */
  useColor?: boolean;
  /** Longest cell shown, in characters; longer text ends in `…`. */
  maxCellWidth?: number;
}

const DEFAULT_MAX_CELL_WIDTH = 60;

/**
 * A bordered table for people at a terminal. cli-table3 colours by default even in a pipe and
 * ignores NO_COLOR, so the style is set explicitly. Every cell is escaped: data from outside
 * never reaches the terminal raw.
 */
export function formatTable(
  columns: readonly ResultColumn[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const maxWidth = options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH;
  const table = new Table({
    head: columns.map((column) => truncate(escapeControl(column.name), maxWidth)),
    style: { head: options.useColor ? ['cyan'] : [], border: [], compact: false },
    colAligns: columns.map((column) => (column.kind.endsWith('number') ? 'right' : 'left')),
  });
  for (const row of rows) {
    table.push(row.map((value) => truncate(tableText(value), maxWidth)));
  }
  return `${table.toString()}\n`;
}

function tableText(value: Cell): string {
  return value === null ? 'NULL' : escapeControl(plainText(value));
}

function truncate(text: string, maxWidth: number): string {
  return text.length <= maxWidth ? text : `${text.slice(0, Math.max(1, maxWidth - 1))}…`;
}
