import type { Cell, ResultColumn } from '../../../src/query/run.js';

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * One value as JSON text. BIGINT, HUGEINT and DECIMAL are written as exact JSON numbers (every
 * digit, never rounded through a double): JSON numbers have no size limit, and this is what
 * DuckDB's own JSON output does. Readers that parse numbers into doubles (JavaScript's
 * JSON.parse) round values beyond 2^53; they can read the exact text with a reviver's
 * `context.source`. NaN and ±Infinity, which JSON cannot spell, are strings.
 */
export function jsonValue(value: Cell, column: ResultColumn): string {
  if (column.kind === 'exact-number' && typeof value === 'string' && NUMERIC.test(value)) {
    return value;
  }
  return JSON.stringify(value);
}

export function jsonObject(row: readonly Cell[], columns: readonly ResultColumn[]): string {
  let text = '{';
  for (let index = 0; index < columns.length; index += 1) {
    const column = columns[index] as ResultColumn;
    text += `${index === 0 ? '' : ','}${JSON.stringify(column.name)}:${jsonValue(row[index] ?? null, column)}`;
  }
  return `${text}}`;
}
