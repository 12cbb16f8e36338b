import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../query/sql.js';
import type { Frame } from './frame.js';
import type { ProfiledColumn } from './profile.js';
import { count, num, type Row, readRows, text } from './read-rows.js';

/** Equal-width bins between the baseline's minimum and maximum; bins 0 and BINS+1 hold the rest. */
export const BINS = 20;
/**
 * Above this many distinct values (baseline and target, estimated) a column's CDFs are taken
 * on a grid of CDF_GRID equal steps over both windows' range instead of at every value:
 * W₁ then differs from the exact value by less than one step, KS by less than one step's
 * share. Grouping and ordering 2.6 M distinct doubles per column made the report ~10x slower.
 */
export const EXACT_DISTINCT_LIMIT = 100_000;
export const CDF_GRID = 65_536;
/** Probabilities at which per-day quantiles are taken (midpoints of 100 equal slices). */
export const QUANTILE_GRID = Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
const STAT_QUANTILES = [0.25, 0.5, 0.75];

/** Counts per window (0 baseline, 1 target), day (NULL for a file baseline) and bin or value. */
export interface Cell<K> {
  w: number;
  day: string | null;
  column: number;
  key: K;
  n: number;
}

function literal(value: number): string {
  return `${Number.isFinite(value) ? value : 0}::DOUBLE`;
}

/** `UNPIVOT` of one expression per column into (column index, value), NULLs dropped. */
function unpivot(
  frame: Frame,
  expressions: ReadonlyArray<[index: number, sql: string]>,
  keep: string,
) {
  const aliases = expressions.map(([index]) => quoteIdentifier(String(index)));
  const selects = expressions.map(([index, sql]) => `${sql} AS ${quoteIdentifier(String(index))}`);
  return `UNPIVOT (SELECT ${keep}, ${selects.join(', ')} FROM (${frame.sql}))
    ON ${aliases.join(', ')} INTO NAME _col VALUE _v`;
}

/** The bin of a numeric value: 0 below the baseline's range, BINS+1 above it. */
export function binSql(column: ProfiledColumn): string {
  const lo = column.baseline.min ?? 0;
  const hi = column.baseline.max ?? lo;
  const v = column.valueSql;
  const width = (hi - lo) / BINS;
  const inside =
    hi === lo
      ? '1'
      : `least(${BINS}, 1 + floor((${v} - ${literal(lo)}) / ${literal(width)}))::INTEGER`;
  return `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} < ${literal(lo)} THEN 0
    WHEN ${v} > ${literal(hi)} THEN ${BINS + 1} ELSE ${inside} END`;
}

/** Histogram counts of numeric columns per window and day, over the baseline's bins. */
export function histogramCounts(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  signal?: AbortSignal,
): Promise<Cell<number>[]> {
  return countsPerDay(connection, frame, columns, binSql, count, signal);
}

/** Value counts of categorical columns per window and day. */
export function categoryCounts(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  signal?: AbortSignal,
): Promise<Cell<string>[]> {
  return countsPerDay(connection, frame, columns, (c) => c.valueSql, text, signal);
}

/** Rows per window, day, column and key (`keySql` of each column), NULL keys left out. */
async function countsPerDay<K>(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  keySql: (column: ProfiledColumn) => string,
  key: (value: Row[string] | undefined) => K,
  signal?: AbortSignal,
): Promise<Cell<K>[]> {
  if (columns.length === 0) {
    return [];
  }
  const expressions = columns.map((c): [number, string] => [c.index, keySql(c)]);
  const rows = await readRows(
    connection,
    `SELECT _w, _day, _col, _v, count(*) AS n
      FROM (${unpivot(frame, expressions, '_w, _day')}) GROUP BY ALL`,
    signal,
  );
  return rows.map((row) => ({
    w: count(row._w),
    day: row._day === null ? null : text(row._day),
    column: Number(row._col),
    key: key(row._v),
    n: count(row.n),
  }));
}

/** The value as the CDF query groups it: itself, or its grid step's centre (see CDF_GRID). */
export function cdfValueSql(column: ProfiledColumn): string {
  const distinct = (column.baseline.distinct ?? 0) + (column.target.distinct ?? 0);
  const lo = Math.min(column.baseline.min ?? 0, column.target.min ?? Number.POSITIVE_INFINITY);
  const hi = Math.max(column.baseline.max ?? 0, column.target.max ?? Number.NEGATIVE_INFINITY);
  if (distinct <= EXACT_DISTINCT_LIMIT || !(hi > lo)) {
    return column.valueSql;
  }
  const width = (hi - lo) / CDF_GRID;
  return `${literal(lo)} + (least(${CDF_GRID - 1}, floor((${column.valueSql} - ${literal(lo)}) / ${literal(width)})) + 0.5) * ${literal(width)}`;
}

export interface ExactDistance {
  /** Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two CDFs. */
  ks: number | null;
  /** Wasserstein-1 distance: the area between the two CDFs. */
  w1: number | null;
}

/**
 * KS and W₁ of each numeric column between the windows: both CDFs are evaluated at every
 * distinct value (or grid step, see CDF_GRID), one aggregation and one ordered window per
 * column, all in DuckDB.
 */
export async function exactDistances(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  signal?: AbortSignal,
): Promise<Map<number, ExactDistance>> {
  if (columns.length === 0) {
    return new Map();
  }
  const ordered = 'PARTITION BY _col ORDER BY _v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW';
  const rows = await readRows(
    connection,
    `WITH counts AS (
        SELECT _col, _v, count(*) FILTER (WHERE _w = 0) AS nb, count(*) FILTER (WHERE _w = 1) AS nt
        FROM (${unpivot(
          frame,
          columns.map((c) => [c.index, cdfValueSql(c)]),
          '_w',
        )}) GROUP BY _col, _v),
      cdfs AS (
        SELECT _col,
          sum(nb) OVER (${ordered}) / nullif(sum(nb) OVER (PARTITION BY _col), 0) AS fb,
          sum(nt) OVER (${ordered}) / nullif(sum(nt) OVER (PARTITION BY _col), 0) AS ft,
          lead(_v) OVER (PARTITION BY _col ORDER BY _v) - _v AS dx
        FROM counts)
      SELECT _col, max(abs(fb - ft)) AS ks, sum(abs(fb - ft) * coalesce(dx, 0)) AS w1
      FROM cdfs GROUP BY _col`,
    signal,
  );
  return new Map(
    rows.map((row) => [Number(row._col), { ks: num(row.ks), w1: num(row.w1) }] as const),
  );
}

export interface Quantiles {
  /** Per window (0, 1) and per day: the QUANTILE_GRID quantiles, then q25, median, q75. */
  windows: Map<number, number[]>;
  days: Map<string, number[]>;
}

/** Quantiles of each numeric column per window and per day (exact order statistics). */
export async function quantiles(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  signal?: AbortSignal,
): Promise<Map<number, Quantiles>> {
  const result = new Map<number, Quantiles>();
  if (columns.length === 0) {
    return result;
  }
  const grid = `[${[...QUANTILE_GRID, ...STAT_QUANTILES].join(', ')}]`;
  const rows = await readRows(
    connection,
    `SELECT _w, _day, GROUPING(_day) AS _all${columns
      .map((c) => `, approx_quantile(${c.valueSql}, ${grid}) AS ${quoteIdentifier(`q${c.index}`)}`)
      .join('')}
      FROM (${frame.sql}) GROUP BY GROUPING SETS ((_w), (_w, _day))`,
    signal,
  );
  for (const column of columns) {
    const entry: Quantiles = { windows: new Map(), days: new Map() };
    for (const row of rows) {
      const values = row[`q${column.index}`];
      if (!Array.isArray(values)) {
        continue;
      }
      const list = values.map((v) => num(v) ?? Number.NaN);
      if (Number(row._all) === 1) {
        entry.windows.set(count(row._w), list);
      } else if (row._day !== null) {
        entry.days.set(text(row._day), list);
      }
    }
    result.set(column.index, entry);
  }
  return result;
}

/** The label of numeric bin `bin` for a chart axis. */
export function binLabel(column: ProfiledColumn, bin: number): string {
  const lo = column.baseline.min ?? 0;
  const hi = column.baseline.max ?? lo;
  const width = (hi - lo) / BINS;
  const round = (x: number) => Number(x.toPrecision(3));
  if (bin === 0) {
    return `< ${round(lo)}`;
  }
  if (bin === BINS + 1) {
    return `> ${round(hi)}`;
  }
  return String(round(lo + (bin - 0.5) * width));
}
