import type { DuckDBConnection } from '@duckdb/node-api';
import { MdqError } from '../errors.js';
import { AKS_GENERATED_COLUMNS, WORKBENCH_GENERATED_COLUMNS } from '../layout/columns.js';
import { SYSTEM_COLUMN_NAMES } from '../query/pull/system-columns.js';
import { quoteIdentifier, quoteLiteral } from '../query/sql.js';
import { readRows, text } from './read-rows.js';
import type { BaselineSource, DayRange } from './windows.js';

export interface FrameColumn {
  name: string;
  /** DuckDB's type of the column in the frame (baseline and target unioned). */
  type: string;
}

/**
 * The rows one report reads from a role table, as SQL: `_w` (0 baseline, 1 target), `_day`
 * (NULL for a file or table baseline) and the table's data columns. Everything the report
 * computes is a query over this, so a window is defined in exactly one place.
 */
export interface Frame {
  table: string;
  sql: string;
  columns: FrameColumn[];
}

export interface FrameOptions {
  table: string;
  service: string | null;
  target: DayRange;
  baseline: BaselineSource;
  signal?: AbortSignal;
}

/** The frame of `table`, or undefined when the database has no such table. */
export async function buildFrame(
  connection: DuckDBConnection,
  options: FrameOptions,
): Promise<Frame | undefined> {
  const { table, service, target, baseline, signal } = options;
  if (!(await relationExists(connection, table, signal))) {
    return undefined;
  }
  const relation = `main.${quoteIdentifier(table)}`;
  const data = (await describe(connection, `SELECT * FROM ${relation}`, signal)).filter((column) =>
    isDataColumn(column.name),
  );
  const names = data.map((column) => quoteIdentifier(column.name));
  const serviceFilter = service === null ? 'TRUE' : `_service = ${quoteLiteral(service)}`;
  const inRange = (range: DayRange) =>
    `_date BETWEEN DATE ${quoteLiteral(range.from)} AND DATE ${quoteLiteral(range.to)}`;
  let sql: string;
  if (baseline.kind === 'range') {
    // One scan of the table for both windows.
    sql = `SELECT CASE WHEN ${inRange(target)} THEN 1 ELSE 0 END AS _w, _date AS _day${names.map((n) => `, ${n}`).join('')}
      FROM ${relation} WHERE ${serviceFilter} AND (${inRange(baseline.range)} OR ${inRange(target)})`;
  } else {
    const source = baselineRelation(baseline);
    const available = new Set(
      (await describeBaseline(connection, source, signal)).map((c) => c.name.toLowerCase()),
    );
    const shared = data.filter((column) => available.has(column.name.toLowerCase()));
    sql = `SELECT 0 AS _w, NULL::DATE AS _day${shared.map((c) => `, ${quoteIdentifier(c.name)}`).join('')} FROM ${source}
      UNION ALL BY NAME
      SELECT 1 AS _w, _date AS _day${names.map((n) => `, ${n}`).join('')}
      FROM ${relation} WHERE ${serviceFilter} AND ${inRange(target)}`;
  }
  const frameColumns = (await describe(connection, sql, signal)).filter(
    (column) => column.name !== '_w' && column.name !== '_day',
  );
  return { table, sql, columns: frameColumns };
}

const COLLECTOR_COLUMNS: ReadonlySet<string> = new Set(
  [...WORKBENCH_GENERATED_COLUMNS, ...AKS_GENERATED_COLUMNS].map((name) => name.toLowerCase()),
);

/** A column the model saw or produced: not mdq's system columns, not the collector's own. */
export function isDataColumn(name: string): boolean {
  const lower = name.toLowerCase();
  return !SYSTEM_COLUMN_NAMES.has(lower) && !COLLECTOR_COLUMNS.has(lower);
}

function baselineRelation(baseline: Exclude<BaselineSource, { kind: 'range' }>): string {
  if (baseline.kind === 'table') {
    return `main.${quoteIdentifier(baseline.name)}`;
  }
  return baseline.format === 'parquet'
    ? `read_parquet(${quoteLiteral(baseline.path)})`
    : `read_csv(${quoteLiteral(baseline.path)}, auto_detect = true)`;
}

export async function relationExists(
  connection: DuckDBConnection,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const rows = await readRows(
    connection,
    `SELECT count(*) AS n FROM information_schema.tables
      WHERE table_schema = 'main' AND lower(table_name) = lower(${quoteLiteral(name)})`,
    signal,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function describe(
  connection: DuckDBConnection,
  sql: string,
  signal?: AbortSignal,
): Promise<FrameColumn[]> {
  const rows = await readRows(connection, `DESCRIBE ${sql}`, signal);
  return rows.map((row) => ({ name: text(row.column_name), type: text(row.column_type) }));
}

/** The baseline file's or table's columns; a file DuckDB cannot read is a usage error. */
async function describeBaseline(
  connection: DuckDBConnection,
  source: string,
  signal?: AbortSignal,
): Promise<FrameColumn[]> {
  try {
    return await describe(connection, `SELECT * FROM ${source}`, signal);
  } catch (error) {
    if (error instanceof MdqError && error.code !== 'query') {
      throw error;
    }
    throw new MdqError('report-baseline', `cannot read the baseline: ${(error as Error).message}`, {
      exitCode: 2,
      cause: error,
      hint: 'a baseline file must be CSV or Parquet with the same column names as the inputs',
    });
  }
}
