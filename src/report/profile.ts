import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../query/sql.js';
import type { Frame, FrameColumn } from './frame.js';
import { count, num, type Row, readRows } from './read-rows.js';

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U.*INT|UHUGEINT)$/;

/**
 * Azure ML's rule (azureml-assets df_utils): whole-number columns are categorical when fewer
 * than 5% of their values are distinct; text, booleans are categorical; floats numeric.
 */
const CATEGORICAL_DISTINCT_RATIO = 0.05;
/** Text with more distinct values than this in the baseline is an identifier, not a category. */
export const MAX_CATEGORIES = 1000;

export interface WindowProfile {
  rows: number;
  nonNull: number;
  /** Non-null values that parse as numbers (text columns; equals nonNull for numeric ones). */
  numbers: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  distinct: number | null;
}

export interface ProfiledColumn extends FrameColumn {
  index: number;
  /** numeric and categorical get drift; `other` (dates, nested) only null rates. */
  kind: 'numeric' | 'categorical' | 'other';
  /** Text whose baseline values are all numbers: analysed as numbers, other text is a type error. */
  textNumeric: boolean;
  /** SQL giving the value analysed (DOUBLE for numeric, VARCHAR for categorical). */
  valueSql: string;
  baseline: WindowProfile;
  target: WindowProfile;
  /** Per target or baseline day: rows and non-null values. */
  days: Map<string, { rows: number; nonNull: number }>;
}

/**
 * One scan of the frame: counts, numeric summaries and distinct estimates per window and per
 * day (GROUPING SETS), from which each column is classified as Azure ML classifies it.
 */
export async function profileColumns(
  connection: DuckDBConnection,
  frame: Frame,
  signal?: AbortSignal,
): Promise<ProfiledColumn[]> {
  const selects = frame.columns.flatMap((column, i) => {
    const c = quoteIdentifier(column.name);
    const parts = [`count(${c}) AS nn${i}`];
    const numeric = numericSql(column);
    if (numeric) {
      parts.push(
        `count(${numeric}) AS num${i}`,
        `min(${numeric}) AS min${i}`,
        `max(${numeric}) AS max${i}`,
        `avg(${numeric}) AS avg${i}`,
        `stddev_samp(${numeric}) AS std${i}`,
      );
    }
    if (numeric || column.type === 'VARCHAR') {
      parts.push(`approx_count_distinct(${c}) AS nd${i}`);
    }
    return parts;
  });
  const rows = await readRows(
    connection,
    `SELECT _w, _day, GROUPING(_day) AS _all, count(*) AS n${selects.map((s) => `, ${s}`).join('')}
      FROM (${frame.sql}) GROUP BY GROUPING SETS ((_w), (_w, _day))`,
    signal,
  );
  const windowRow = (w: number) =>
    rows.find((row) => Number(row._w) === w && Number(row._all) === 1);
  const dayRows = rows.filter((row) => Number(row._all) === 0 && row._day !== null);
  return frame.columns.map((column, index) => {
    const baseline = windowProfile(windowRow(0), index);
    const target = windowProfile(windowRow(1), index);
    const days = new Map(
      dayRows.map((row) => [
        String(row._day),
        { rows: count(row.n), nonNull: count(row[`nn${index}`]) },
      ]),
    );
    const { kind, textNumeric } = classify(column, baseline.nonNull > 0 ? baseline : target);
    const c = quoteIdentifier(column.name);
    const valueSql = kind === 'numeric' ? (numericSql(column) ?? c) : `CAST(${c} AS VARCHAR)`;
    return { ...column, index, kind, textNumeric, valueSql, baseline, target, days };
  });
}

function numericSql(column: FrameColumn): string | undefined {
  const c = quoteIdentifier(column.name);
  if (NUMERIC_TYPES.test(column.type)) {
    return `CAST(${c} AS DOUBLE)`;
  }
  return column.type === 'VARCHAR' ? `TRY_CAST(${c} AS DOUBLE)` : undefined;
}

function windowProfile(row: Row | undefined, i: number): WindowProfile {
  const nonNull = count(row?.[`nn${i}`]);
  return {
    rows: count(row?.n),
    nonNull,
    numbers: row && `num${i}` in row ? count(row[`num${i}`]) : 0,
    min: num(row?.[`min${i}`]),
    max: num(row?.[`max${i}`]),
    mean: num(row?.[`avg${i}`]),
    std: num(row?.[`std${i}`]),
    distinct: num(row?.[`nd${i}`]),
  };
}

function classify(
  column: FrameColumn,
  reference: WindowProfile,
): { kind: ProfiledColumn['kind']; textNumeric: boolean } {
  if (column.type === 'VARCHAR') {
    const allNumbers = reference.nonNull > 0 && reference.numbers === reference.nonNull;
    return { kind: allNumbers ? 'numeric' : 'categorical', textNumeric: allNumbers };
  }
  if (column.type === 'BOOLEAN') {
    return { kind: 'categorical', textNumeric: false };
  }
  if (INTEGER_TYPES.test(column.type)) {
    const ratio = reference.nonNull > 0 ? (reference.distinct ?? 0) / reference.nonNull : 1;
    return {
      kind: ratio < CATEGORICAL_DISTINCT_RATIO ? 'categorical' : 'numeric',
      textNumeric: false,
    };
  }
  if (NUMERIC_TYPES.test(column.type)) {
    return { kind: 'numeric', textNumeric: false };
  }
  return { kind: 'other', textNumeric: false };
}
