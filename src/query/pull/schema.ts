import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { shownCorrelationSql } from './correlation-key.js';
import {
  BLOBS_TABLE,
  DATA_SCHEMA,
  INTERNAL_TABLES,
  STORED_SYSTEM_COLUMNS,
  SYSTEM_COLUMN_NAMES,
  SYSTEM_COLUMNS,
} from './system-columns.js';

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

/** The role tables stored so far, by name. */
async function storedTables(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = ${quoteLiteral(DATA_SCHEMA)}
     ORDER BY table_name`,
  );
  return reader
    .getRowsJson()
    .map((row) => String(row[0]))
    .filter((name) => !INTERNAL_TABLES.has(name));
}

/** Data columns of a stored table and their types, in table order. */
async function dataColumns(
  connection: DuckDBConnection,
  table: string,
): Promise<Map<string, string>> {
  const columns = await tableColumns(connection, table);
  for (const name of columns.keys()) {
    if (SYSTEM_COLUMN_NAMES.has(name.toLowerCase())) {
      columns.delete(name);
    }
  }
  return columns;
}

/**
 * The views users query: one per role table (`inputs`, ...) with its blobs' path facts joined
 * back in the columns' documented order, and `scored`. Recreated in every load transaction, so
 * they list the columns that transaction added and never lag what it committed.
 */
export async function recreateViews(connection: DuckDBConnection): Promise<void> {
  await ensureDataSchema(connection);
  await ensureTable(connection, 'inputs');
  await ensureTable(connection, 'predictions');
  for (const table of await storedTables(connection)) {
    await recreateRoleView(connection, table);
  }
  await recreateScored(connection);
}

/**
 * The system columns as the role views show them, from stored rows `r` (of a table with
 * `columns`) and their blob `b`, in documented order (role views and `scored`).
 */
function shownSystemColumns(columns: ReadonlyMap<string, string>): string[] {
  const shown: Record<string, string> = {
    _service: 'b.service',
    _model: 'b.model',
    // A v2 row carries its own version; the others take their blob's (NULL for v2 blobs).
    _model_version: 'COALESCE(r._row_model_version, b.model_version)',
    _identifier: 'b.identifier',
    _date: 'b.day',
    _ts: 'r._ts',
    _correlation_id: shownCorrelationSql(columns, 'r'),
    _row: 'r._row',
    _blob: 'b.blob',
  };
  return SYSTEM_COLUMNS.map(([name]) => `${shown[name]} AS ${quoteIdentifier(name)}`);
}

/** A stored table's rows with their blobs' path facts, as SQL (LEFT: no row ever vanishes). */
function withBlobs(table: string): string {
  return `${storedTable(table)} r LEFT JOIN ${BLOBS} b ON b.id = r._blob_id`;
}

/**
 * The views, created when missing: a pull that loaded nothing into a new database still leaves
 * `inputs`, `predictions` and `scored` to query. Every load transaction recreates them anyway,
 * so a pull that found nothing new changes nothing (and saves ~30 ms of catalog writes).
 */
export async function ensureViews(connection: DuckDBConnection): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM duckdb_views() WHERE database_name = current_database()
       AND schema_name = 'main' AND view_name = 'scored'`,
  );
  if (Number(reader.getRowsJson()[0]?.[0] ?? 0) === 0) {
    await recreateViews(connection);
  }
}

async function recreateRoleView(connection: DuckDBConnection, table: string): Promise<void> {
  const data = await dataColumns(connection, table);
  const columns = [
    ...shownSystemColumns(data),
    ...[...data.keys()].map((name) => `r.${quoteIdentifier(name)}`),
  ];
  await connection.run(`CREATE OR REPLACE VIEW main.${quoteIdentifier(table)} AS
    SELECT ${columns.join(', ')} FROM ${withBlobs(table)}`);
}

/** A role joined to each input row in `scored`: its data columns and its flag. */
interface Companion {
  table: string;
  /** Prefix of a data column whose name is taken (by an input column, ...). */
  prefix: string;
  /** The boolean column: the row has one. */
  flag: string;
}

const COMPANIONS: readonly Companion[] = [
  { table: 'predictions', prefix: 'prediction_', flag: '_matched' },
  { table: 'labels', prefix: 'label_', flag: '_labeled' },
];

/**
 * `scored`: every input row with its own prediction and its own label, joined on (service,
 * model, version, correlation id, row ordinal), so multi-row requests align instead of
 * multiplying. Predictions and labels are deduplicated on that key first (the first loaded
 * wins), which guarantees count(scored) = count(inputs) even if a collector wrote one twice.
 * Their data columns keep their names, prefixed (`prediction_`, `label_`) where an input
 * column or an earlier one took the name; `_matched` and `_labeled` say whether a row has one.
 *
 * It joins the stored rows on their stream id and the row's own version (v2) instead of the
 * three strings: a v2 row's stream has no version, so (stream, row version) is the same key.
 * Predictions are deduplicated on their stored table alone, so DuckDB groups the key only.
 * Over the role views it hashed strings gathered from the blob join and grouped every column:
 * `mdq export` of scored took 1.6x as long as with path facts on every row; this way it is
 * ~10% faster than that, and grouped queries on scored ~20% (bench/README.md, "Data model").
 */
async function recreateScored(connection: DuckDBConnection): Promise<void> {
  const inputData = await dataColumns(connection, 'inputs');
  const taken = new Set(
    [...SYSTEM_COLUMNS.map(([name]) => name), ...inputData.keys()].map((name) =>
      name.toLowerCase(),
    ),
  );
  for (const { flag } of COMPANIONS) {
    taken.add(flag);
  }
  const shown: string[] = [];
  const joins: string[] = [];
  for (const [n, companion] of COMPANIONS.entries()) {
    const alias = `c${n}`;
    const data = await dataColumns(connection, companion.table);
    if ((await tableColumns(connection, companion.table)).size === 0) {
      shown.push(`false AS ${companion.flag}`);
      continue;
    }
    for (const name of data.keys()) {
      let column = name;
      while (taken.has(column.toLowerCase())) {
        column = `${companion.prefix}${column}`;
      }
      taken.add(column.toLowerCase());
      shown.push(`${alias}.${quoteIdentifier(name)} AS ${quoteIdentifier(column)}`);
    }
    shown.push(`${alias}._correlation_id IS NOT NULL AS ${companion.flag}`);
    const columns = [
      'r._stream AS _mdq_stream',
      'r._row_model_version AS _mdq_rmv',
      `${shownCorrelationSql(data, 'r')} AS _correlation_id`,
      'r._row',
      ...[...data.keys()].map((name) => `r.${quoteIdentifier(name)}`),
    ];
    joins.push(`LEFT JOIN (
      SELECT * EXCLUDE (_mdq_blob_id) FROM (
        SELECT ${columns.join(', ')}, r._blob_id AS _mdq_blob_id
        FROM ${storedTable(companion.table)} r)
      WHERE _correlation_id IS NOT NULL
      QUALIFY row_number() OVER (
        PARTITION BY _mdq_stream, _mdq_rmv, _correlation_id, _row ORDER BY _mdq_blob_id) = 1
    ) ${alias} ON i._mdq_stream IS NOT DISTINCT FROM ${alias}._mdq_stream
      -- NULL versions (a v2 event without modelversion) still match each other.
      AND i._mdq_rmv IS NOT DISTINCT FROM ${alias}._mdq_rmv
      AND i._correlation_id = ${alias}._correlation_id AND i._row = ${alias}._row`);
  }
  const inputs = [
    ...shownSystemColumns(inputData),
    ...[...inputData.keys()].map((name) => `r.${quoteIdentifier(name)}`),
    'r._stream AS _mdq_stream',
    'r._row_model_version AS _mdq_rmv',
  ];
  await connection.run(`CREATE OR REPLACE VIEW main.scored AS
    SELECT i.* EXCLUDE (_mdq_stream, _mdq_rmv), ${shown.join(', ')}
    FROM (SELECT ${inputs.join(', ')} FROM ${withBlobs('inputs')}) i
    ${joins.join('\n')}`);
}
