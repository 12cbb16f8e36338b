import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { BLOBS_TABLE, DATA_SCHEMA, STORED_SYSTEM_COLUMNS } from './system-columns.js';

/*
 * The stored layout (design.md, data model; bench/README.md, "Data model" for the figures):
 * - `mdq_data.<role table>`: the rows, with their blob's id and stream instead of the path
 *   facts, which `mdq_data.blobs` holds once per blob (system-columns.ts);
 * - on `mdq_data.inputs`, each row's match in predictions and in labels: the matched row's
 *   blob id and a copy of its data columns (companions.ts). `scored` is then a projection of
 *   one table plus the blob facts (views.ts) and queries as fast as a plain table; joining
 *   predictions on every query made cheap queries 20x slower. Each load transaction keeps
 *   the matches exact (match-batch.ts), writing them as input rows are inserted because
 *   DuckDB's UPDATE costs several times more per column than an INSERT; a database without
 *   them gets them on its next pull (match-all.ts).
 * - the views in `main` (`inputs`, ..., `scored`) are recreated in every load transaction.
 */

/** The stored table of a role (`mdq_data.inputs`), as SQL. */
export function storedTable(table: string): string {
  return `${quoteIdentifier(DATA_SCHEMA)}.${quoteIdentifier(table)}`;
}

export const BLOBS = storedTable(BLOBS_TABLE);

/** Column name → DuckDB type of a table (empty map: no such table). */
export async function tableColumns(
  connection: DuckDBConnection,
  table: string,
  schema = DATA_SCHEMA,
): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = ${quoteLiteral(schema)}
       AND table_name = ${quoteLiteral(table)} ORDER BY column_index`,
  );
  const columns = new Map<string, string>();
  for (const row of reader.getRowObjectsJson()) {
    columns.set(String(row.column_name), String(row.data_type));
  }
  return columns;
}

/** The schema of stored rows and its blob table (see system-columns.ts). */
export async function ensureDataSchema(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(DATA_SCHEMA)}`);
  // stream: one id per (service, model, model_version), what `scored` joins on (blobs.ts).
  await connection.run(`CREATE TABLE IF NOT EXISTS ${BLOBS} (
    id BIGINT, source VARCHAR, blob VARCHAR, service VARCHAR, model VARCHAR,
    model_version VARCHAR, identifier VARCHAR, day DATE, stream BIGINT)`);
}

/** A role's stored table with the system columns only (data columns come with the files). */
export async function ensureTable(connection: DuckDBConnection, table: string): Promise<void> {
  const columns = STORED_SYSTEM_COLUMNS.map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${storedTable(table)} (${columns.join(', ')})`);
}
