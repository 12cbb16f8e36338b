import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../sql.js';

/**
 * Data columns are staged as text and typed by what the values are, so no file's first rows
 * decide for the others. Types only ever widen: BIGINT → DOUBLE → VARCHAR, BOOLEAN → VARCHAR.
 */
export type DataType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';

/** Evidence from one batch: undefined when the column held only NULLs. */
export type InferredType = DataType | undefined;

export async function inferTypes(
  connection: DuckDBConnection,
  stageTable: string,
  columns: readonly string[],
): Promise<Map<string, InferredType>> {
  const types = new Map<string, InferredType>();
  // Wide tables: a few hundred aggregates per query keeps the SQL reasonable.
  for (let start = 0; start < columns.length; start += 200) {
    const slice = columns.slice(start, start + 200);
    const selects = slice.flatMap((column, i) => {
      const c = quoteIdentifier(column);
      return [
        `count(${c}) AS n${i}`,
        `bool_and(${c} IS NULL OR (regexp_full_match(${c}, '[-+]?[0-9]+') AND TRY_CAST(${c} AS BIGINT) IS NOT NULL)) AS i${i}`,
        `bool_and(${c} IS NULL OR TRY_CAST(${c} AS DOUBLE) IS NOT NULL) AS f${i}`,
        `bool_and(${c} IS NULL OR lower(${c}) IN ('true', 'false')) AS b${i}`,
      ];
    });
    const reader = await connection.runAndReadAll(
      `SELECT ${selects.join(', ')} FROM ${quoteIdentifier(stageTable)}`,
    );
    const row = reader.getRowObjectsJson()[0] ?? {};
    slice.forEach((column, i) => {
      if (Number(row[`n${i}`] ?? 0) === 0) {
        types.set(column, undefined);
      } else if (row[`i${i}`] === true) {
        types.set(column, 'BIGINT');
      } else if (row[`f${i}`] === true) {
        types.set(column, 'DOUBLE');
      } else if (row[`b${i}`] === true) {
        types.set(column, 'BOOLEAN');
      } else {
        types.set(column, 'VARCHAR');
      }
    });
  }
  return types;
}

/** The narrowest type holding both; unknown existing types (a user's ALTER) become VARCHAR. */
export function widen(existing: string, incoming: InferredType): string {
  if (incoming === undefined || existing === incoming) {
    return existing;
  }
  const numeric = new Set(['BIGINT', 'DOUBLE']);
  if (numeric.has(existing) && numeric.has(incoming)) {
    return 'DOUBLE';
  }
  return 'VARCHAR';
}
