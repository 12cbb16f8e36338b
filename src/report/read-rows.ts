import type { DuckDBConnection } from '@duckdb/node-api';
import { type Cell, queryRows } from '../query/run.js';

export type Row = Record<string, Cell>;

/** Runs one report query through src/query (interruptible, one-line errors) as row objects. */
export async function readRows(
  connection: DuckDBConnection,
  sql: string,
  signal?: AbortSignal,
): Promise<Row[]> {
  const { columns, rows } = await queryRows(connection, sql, signal ? { signal } : {});
  return rows.map((row) =>
    Object.fromEntries(columns.map((column, i) => [column.name, row[i] ?? null])),
  );
}

/** A count or measure as a JS number (DuckDB's exact integers arrive as strings); NULL stays null. */
export function num(value: Cell | undefined): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A count: NULL is 0. */
export function count(value: Cell | undefined): number {
  return num(value) ?? 0;
}

export function text(value: Cell | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
