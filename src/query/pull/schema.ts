import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { JOIN_KEY, SYSTEM_COLUMNS } from './system-columns.js';

/** Column name → DuckDB type of a table in the main schema (empty map: no such table). */
export async function tableColumns(
  connection: DuckDBConnection,
  table: string,
): Promise<Map<string, string>> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main'
       AND table_name = ${quoteLiteral(table)} ORDER BY column_index`,
  );
  const columns = new Map<string, string>();
  for (const row of reader.getRowObjectsJson()) {
    columns.set(String(row.column_name), String(row.data_type));
  }
  return columns;
}

/** A role table with the system columns only (data columns are added as files bring them). */
export async function ensureTable(connection: DuckDBConnection, table: string): Promise<void> {
  const columns = SYSTEM_COLUMNS.map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (${columns.join(', ')})`,
  );
}

const SYSTEM = new Set(SYSTEM_COLUMNS.map(([name]) => name));

/**
 * `scored`: every input row with its own prediction, joined on (service, model, version,
 * correlation id, row ordinal), so multi-row requests align instead of multiplying. Predictions
 * are deduplicated on that key first, which guarantees count(scored) = count(inputs) even if a
 * collector wrote one prediction twice. Recreated after each pull: columns may have changed.
 */
export async function recreateViews(connection: DuckDBConnection): Promise<void> {
  await ensureTable(connection, 'inputs');
  await ensureTable(connection, 'predictions');
  const inputs = await tableColumns(connection, 'inputs');
  const predictions = await tableColumns(connection, 'predictions');
  const taken = new Set([...inputs.keys()].map((name) => name.toLowerCase()));
  taken.add('_matched');
  const predictionColumns: string[] = [];
  for (const name of predictions.keys()) {
    if (SYSTEM.has(name)) {
      continue;
    }
    let alias = name;
    while (taken.has(alias.toLowerCase())) {
      alias = `prediction_${alias}`;
    }
    taken.add(alias.toLowerCase());
    predictionColumns.push(`p.${quoteIdentifier(name)} AS ${quoteIdentifier(alias)}`);
  }
  const key = JOIN_KEY.map((column) => quoteIdentifier(column));
  // NULL versions (a v2 event without modelversion) still match each other.
  const on = key.map((column) => `i.${column} IS NOT DISTINCT FROM p.${column}`).join(' AND ');
  await connection.run(`CREATE OR REPLACE VIEW scored AS
    SELECT i.*, ${[...predictionColumns, 'p._blob IS NOT NULL AS _matched'].join(', ')}
    FROM inputs i
    LEFT JOIN (
      SELECT * FROM predictions WHERE _correlation_id IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY _blob) = 1
    ) p ON ${on}`);
}
