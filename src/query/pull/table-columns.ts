import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../sql.js';
import { type InferredType, widen } from './column-types.js';
import { isCorrelationKeyColumn } from './correlation-key.js';
import { ensureTable, storedTable, tableColumns } from './schema.js';
import { STORED_SYSTEM_COLUMNS } from './system-columns.js';

/**
 * Makes `table` (stored) able to take the incoming data columns: creates it with the system columns,
 * adds new columns, widens existing ones (never narrows); correlation key columns are always text
 * (correlation-key.ts). Runs inside the batch transaction, before any row changes (DuckDB
 * refuses to ALTER a table modified in the same transaction).
 * Returns the table's final column name and type for each incoming column (by lower-case name).
 */
export async function fitColumns(
  connection: DuckDBConnection,
  table: string,
  incoming: ReadonlyMap<string, InferredType>,
): Promise<Map<string, { name: string; type: string }>> {
  await ensureTable(connection, table);
  const existing = new Map<string, { name: string; type: string }>();
  for (const [name, type] of await tableColumns(connection, table)) {
    existing.set(name.toLowerCase(), { name, type });
  }
  const fitted = new Map<string, { name: string; type: string }>();
  for (const [column, guessed] of incoming) {
    const key = column.toLowerCase();
    const inferred: InferredType = isCorrelationKeyColumn(column) ? 'VARCHAR' : guessed;
    if (fitted.has(key)) {
      continue;
    }
    const found = existing.get(key);
    if (found) {
      const type = widen(found.type, inferred);
      if (type !== found.type) {
        await connection.run(
          `ALTER TABLE ${storedTable(table)} ALTER COLUMN ${quoteIdentifier(found.name)} SET DATA TYPE ${type}`,
        );
      }
      fitted.set(key, { name: found.name, type });
    } else {
      const type = inferred ?? 'VARCHAR';
      await connection.run(
        `ALTER TABLE ${storedTable(table)} ADD COLUMN ${quoteIdentifier(column)} ${type}`,
      );
      fitted.set(key, { name: column, type });
    }
  }
  return fitted;
}

/** The stored system columns as the INSERT lists them. */
export const SYSTEM_SELECT = STORED_SYSTEM_COLUMNS.map(([name]) => quoteIdentifier(name)).join(
  ', ',
);
