import {
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  StatementType,
} from '@duckdb/node-api';
import { describeColumns, type ResultColumn } from './run.js';
import type { TypedColumn } from './value-format.js';

export interface DescribedSelect {
  /** The statement without its trailing `;`, ready to go inside `(…)`. */
  sql: string;
  /** Its result columns as the formatters describe them. */
  columns: ResultColumn[];
  /** The same with DuckDB's types, for value-format.ts. */
  typed: TypedColumn[];
}

/**
 * The statement, trimmed for embedding in `(…)`, with its result columns, found by preparing it
 * (nothing runs); undefined when `sql` is not one SELECT-like statement.
 */
export async function describeSelect(
  connection: DuckDBConnection,
  sql: string,
): Promise<DescribedSelect | undefined> {
  let prepared: DuckDBPreparedStatement;
  try {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) {
      return undefined;
    }
    prepared = await extracted.prepare(0);
  } catch {
    return undefined; // streamQuery reports the error with its hint
  }
  try {
    if (prepared.statementType !== StatementType.SELECT) {
      return undefined;
    }
    const names = deduplicated(
      Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i)),
    );
    const typed = names.map((name, index) => ({ name, type: prepared.columnType(index) }));
    const body = sql.trim().replace(/;\s*$/, '');
    // Something about the text (a `;` then a comment) may not survive the wrapping: then the
    // rows go the slower way, never an error that the query itself does not have.
    const check = await connection
      .prepare(`SELECT * FROM (\n${body}\n) LIMIT 0`)
      .catch(() => undefined);
    if (check === undefined) {
      return undefined;
    }
    check.destroySync();
    return { sql: body, typed, columns: describeColumns(typed) };
  } finally {
    prepared.destroySync();
  }
}

/** DuckDB's result naming: a repeated name gets `:1`, `:2`, … (deduplicatedColumnNames). */
function deduplicated(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count > 1 ? `${name}:${count - 1}` : name;
  });
}
