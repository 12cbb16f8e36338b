import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { COMPANIONS, companionColumns, positionalColumns, shownColumns } from './companions.js';
import { shownCorrelationSql } from './correlation-key.js';
import { BLOBS, ensureDataSchema, ensureTable, storedTable, tableColumns } from './schema.js';
import {
  DATA_SCHEMA,
  INTERNAL_TABLES,
  isReservedColumn,
  SYSTEM_COLUMNS,
} from './system-columns.js';

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
  return withoutReserved(await tableColumns(connection, table));
}

/** The data columns among a stored table's columns (no system columns, no helpers). */
function withoutReserved(columns: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...columns].filter(([name]) => !isReservedColumn(name)));
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
function shownSystemColumns(columns: ReadonlyMap<string, string>, storesKeys: boolean): string[] {
  const shown: Record<string, string> = {
    _service: 'b.service',
    _model: 'b.model',
    // A v2 row carries its own version; the others take their blob's (NULL for v2 blobs).
    _model_version: 'COALESCE(r._row_model_version, b.model_version)',
    _identifier: 'b.identifier',
    _date: 'b.day',
    _ts: 'r._ts',
    _correlation_id: shownCorrelationSql(columns, 'r', storesKeys),
    _row: 'r._row',
    _blob: 'b.blob',
  };
  return SYSTEM_COLUMNS.map(([name]) => `${shown[name]} AS ${quoteIdentifier(name)}`);
}

/**
 * Whether any stored row of `table` holds its key in `_correlation_id` (v2 rows, rows loaded
 * by earlier versions); CSV rows' keys stay in their key columns (correlation-key.ts). Answered
 * from the column's statistics, so it costs nothing however many rows there are.
 */
async function storesKeys(connection: DuckDBConnection, table: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM (SELECT 1 FROM ${storedTable(table)} WHERE _correlation_id IS NOT NULL LIMIT 1)`,
  );
  return Number(reader.getRowsJson()[0]?.[0] ?? 1) > 0;
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
    ...shownSystemColumns(data, await storesKeys(connection, table)),
    ...[...data.keys()].map((name) => `r.${quoteIdentifier(name)}`),
  ];
  await connection.run(`CREATE OR REPLACE VIEW main.${quoteIdentifier(table)} AS
    SELECT ${columns.join(', ')} FROM ${withBlobs(table)}`);
}

/**
 * `scored`: every input row with its own prediction and its own label (design.md, data
 * model), the first loaded of each winning, so count(scored) = count(inputs). The matches are
 * stored with the input rows (companions.ts, match-batch.ts), so `scored` is a projection of
 * one table plus the blob facts: as fast to query as a plain table. Joining the predictions on
 * every query made a grouped query 20x slower than on a table holding the same rows
 * (bench/README.md, "Data model"). The companions' data columns keep their names, prefixed
 * (`prediction_`, `label_`) where an input column or an earlier one took the name; `_matched`
 * and `_labeled` say whether the row has one. A headerless prediction file's value for the row
 * is its `prediction` (MatchSql.spreadSql).
 */
async function recreateScored(connection: DuckDBConnection): Promise<void> {
  const inputs = await tableColumns(connection, 'inputs');
  const inputData = withoutReserved(inputs);
  const taken = new Set(
    [...SYSTEM_COLUMNS.map(([name]) => name), ...inputData.keys()].map((name) =>
      name.toLowerCase(),
    ),
  );
  for (const { flag } of COMPANIONS) {
    taken.add(flag);
  }
  const name = (wanted: string, prefix: string) => {
    let column = wanted;
    while (taken.has(column.toLowerCase())) {
      column = `${prefix}${column}`;
    }
    taken.add(column.toLowerCase());
    return quoteIdentifier(column);
  };
  const shown: string[] = [];
  for (const c of COMPANIONS) {
    const columns = await companionColumns(connection, c);
    if (columns === undefined || !inputs.has(c.blob)) {
      shown.push(`false AS ${c.flag}`);
      continue;
    }
    const copies = shownColumns(columns);
    const copy = (column: string) => `r.${quoteIdentifier(`${c.copy}${column}`)}`;
    const derived = c.spreads ? derivedValue(c.pos, positionalColumns(columns), copies, copy) : '';
    for (const [column] of copies) {
      if (derived !== '' && column.toLowerCase() === 'prediction') {
        continue; // shown as the derived `prediction`, which it fills
      }
      shown.push(`${copy(column)} AS ${name(column, c.prefix)}`);
    }
    if (derived !== '') {
      shown.push(`${derived} AS ${name('prediction', c.prefix)}`);
    }
    shown.push(`r.${quoteIdentifier(c.blob)} IS NOT NULL AS ${c.flag}`);
  }
  const columns = [
    ...shownSystemColumns(inputData, await storesKeys(connection, 'inputs')),
    ...[...inputData.keys()].map((column) => `r.${quoteIdentifier(column)}`),
    ...shown,
  ];
  await connection.run(`CREATE OR REPLACE VIEW main.scored AS
    SELECT ${columns.join(', ')} FROM ${withBlobs('inputs')}`);
}

/**
 * A headerless prediction's value for the row: value `pos` of its line (formats.md §1, §2),
 * filling a `prediction` column of headered files where there is one. '' without positional
 * columns. Values of different kinds (numbers and text) show as text.
 */
function derivedValue(
  pos: string,
  positional: readonly string[],
  copies: ReadonlyMap<string, string>,
  copy: (column: string) => string,
): string {
  if (positional.length === 0) {
    return '';
  }
  const named = [...copies].find(([column]) => column.toLowerCase() === 'prediction');
  const types = new Set([...positional.map((column) => copies.get(column)), named?.[1]]);
  types.delete(undefined);
  const numeric = [...types].every((type) => type === 'BIGINT' || type === 'DOUBLE');
  const value = (sql: string) => (types.size > 1 && !numeric ? `CAST(${sql} AS VARCHAR)` : sql);
  const cases = positional.map((column, i) => `WHEN ${i} THEN ${value(copy(column))}`);
  const fromLine = `CASE r.${quoteIdentifier(pos)} ${cases.join(' ')} END`;
  return named === undefined ? fromLine : `COALESCE(${value(copy(named[0]))}, ${fromLine})`;
}
