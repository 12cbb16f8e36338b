import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { loadStreams, nextBlobId } from './blobs.js';
import { storeMissingMatchesNow } from './match-all.js';
import { BLOBS, ensureDataSchema, storedTable, tableColumns } from './schema.js';
import { isReservedColumn, SYSTEM_COLUMNS } from './system-columns.js';
import { recreateViews } from './views.js';

/**
 * Databases made before mdq stored blob ids keep every path fact on every row, in role tables
 * of `main`. The first pull into one moves them, in one transaction, into the stored layout:
 * each distinct (blob, service, model, identifier, day) becomes a blob entry (source unknown,
 * so a changed blob still replaces them by name) with its stream, and the role views take the
 * tables' names, and input rows get their stored matches (match-all.ts). Queries see the same
 * rows as before, and legacy rows join new ones in `scored` as if they had been loaded together.
 */
export async function migrateLegacyTables(
  connection: DuckDBConnection,
  onStart?: () => void,
): Promise<void> {
  await ensureDataSchema(connection);
  const tables = await legacyTables(connection);
  if (tables.length === 0) {
    return;
  }
  onStart?.(); // it rewrites every row once: a large database takes a while
  await connection.run('BEGIN TRANSACTION');
  try {
    const rows = tables
      .map(
        (table) => `SELECT _blob AS blob, _service AS service, _model AS model,
          _identifier AS identifier, _date AS day, _model_version AS version
          FROM main.${quoteIdentifier(table)}`,
      )
      .join(' UNION ALL ');
    // A v2 blob's rows keep their own versions, as a fresh v2 load stores them; any other blob
    // has its path's version, which becomes the blob's.
    await connection.run(`CREATE OR REPLACE TEMP TABLE _mdq_legacy_blobs AS
      SELECT ${await nextBlobId(connection)} + row_number() OVER () - 1 AS id,
        d.*, COALESCE(m.is_v2, false) AS is_v2,
        CASE WHEN m.is_v2 THEN NULL ELSE d.version END AS stream_version, NULL::BIGINT AS stream
      FROM (SELECT blob, service, model, identifier, day, min(version) AS version
            FROM (${rows}) GROUP BY ALL) d
      LEFT JOIN (SELECT blob, bool_or(layout = 'v2') AS is_v2 FROM mdq_manifest GROUP BY blob) m
        ON m.blob = d.blob`);

    await assignStreams(connection);
    await connection.run(`INSERT INTO ${BLOBS}
      SELECT id, NULL, blob, service, model, stream_version, identifier, day, stream
      FROM _mdq_legacy_blobs`);
    const systemColumns = SYSTEM_COLUMNS.map(([name]) => name);
    // The legacy `scored` depends on the tables dropped below; recreateViews makes the new one.
    await connection.run('DROP VIEW IF EXISTS main.scored');
    for (const table of tables) {
      // A data column named like a helper this layout adds is renamed, as a fresh load would.
      const colliding = [...(await tableColumns(connection, table, 'main')).keys()].filter(
        (name) => !systemColumns.includes(name) && isReservedColumn(name),
      );
      const excluded = [...systemColumns, ...colliding].map((name) => quoteIdentifier(name));
      const renamed = colliding.map(
        (name) => `, r.${quoteIdentifier(name)} AS ${quoteIdentifier(`data${name}`)}`,
      );
      const same = (column: string, legacy: string) =>
        `b.${column} IS NOT DISTINCT FROM r.${quoteIdentifier(legacy)}`;
      await connection.run(`CREATE TABLE ${storedTable(table)} AS
        SELECT b.id AS _blob_id, b.stream AS _stream, r._ts, r._correlation_id, r._row,
          CASE WHEN NOT b.is_v2 AND r._model_version IS NOT DISTINCT FROM b.version THEN NULL
            ELSE r._model_version END AS _row_model_version,
          r.* EXCLUDE (${excluded.join(', ')})${renamed.join('')}
        FROM main.${quoteIdentifier(table)} r LEFT JOIN _mdq_legacy_blobs b
          ON ${same('blob', '_blob')} AND ${same('service', '_service')}
          AND ${same('model', '_model')} AND ${same('identifier', '_identifier')}
          AND ${same('day', '_date')}`);
      await connection.run(`DROP TABLE main.${quoteIdentifier(table)}`);
    }
    await connection.run('DROP TABLE _mdq_legacy_blobs');
    await storeMissingMatchesNow(connection);
    await recreateViews(connection);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Base tables of `main` with every system column: role tables of the legacy layout. */
async function legacyTables(connection: DuckDBConnection): Promise<string[]> {
  const names = SYSTEM_COLUMNS.map(([name]) => quoteLiteral(name));
  const reader = await connection.runAndReadAll(
    `SELECT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t
       ON t.database_name = c.database_name AND t.schema_name = c.schema_name
       AND t.table_name = c.table_name
     WHERE c.database_name = current_database() AND c.schema_name = 'main'
       AND c.column_name IN (${names.join(', ')})
     GROUP BY c.table_name HAVING count(*) = ${names.length} ORDER BY c.table_name`,
  );
  return reader.getRowsJson().map((row) => String(row[0]));
}

/** Gives each legacy blob its stream, by the rule planned blobs follow (blobs.ts). */
async function assignStreams(connection: DuckDBConnection): Promise<void> {
  const streams = await loadStreams(connection);
  const reader = await connection.runAndReadAll(
    'SELECT DISTINCT service, model, stream_version FROM _mdq_legacy_blobs',
  );
  const literal = (value: unknown) => (value === null ? 'NULL' : quoteLiteral(String(value)));
  for (const [service, model, version] of reader.getRowsJson()) {
    const stream = streams(
      String(service),
      String(model),
      version === null ? null : String(version),
    );
    await connection.run(`UPDATE _mdq_legacy_blobs SET stream = ${stream}
      WHERE service IS NOT DISTINCT FROM ${literal(service)}
        AND model IS NOT DISTINCT FROM ${literal(model)}
        AND stream_version IS NOT DISTINCT FROM ${literal(version)}`);
  }
}
