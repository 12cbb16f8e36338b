import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryError } from '../errors.js';
import { firstLineOf } from '../secrets.js';
import { DATA_SCHEMA } from './pull/system-columns.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';

export interface TableSummary {
  name: string;
  type: 'table' | 'view';
  rows: number;
}

export interface ServiceRange {
  table: string;
  service: string;
  firstDay: string;
  lastDay: string;
  rows: number;
}

export interface ManifestSummary {
  status: string;
  blobs: number;
  rows: number;
  bytes: number;
}

/** What `mdq ls` shows without --source: the database's tables, days per service, manifest. */
export interface DatabaseSummary {
  tables: TableSummary[];
  services: ServiceRange[];
  /** Blobs by status ('loaded', 'quarantined'); empty when nothing was pulled. */
  manifest: ManifestSummary[];
}

const MANIFEST = 'mdq_manifest';

/**
 * The relations users see (main schema), as `name` and `type`. A role's rows are stored in
 * mdq_data and shown by a view of its name (system-columns.ts): to users that view is a
 * 'table', as base tables are; other views are 'view'. `mdq ls` and the shell's `.tables`.
 */
export const USER_RELATIONS_SQL = `select t.table_name as name,
    case when s.table_name is not null or t.table_type = 'BASE TABLE' then 'table'
      else lower(t.table_type) end as type
  from information_schema.tables t left join information_schema.tables s
    on s.table_schema = ${quoteLiteral(DATA_SCHEMA)} and s.table_name = t.table_name
  where t.table_schema = ${quoteLiteral('main')} order by t.table_name`;

/**
 * Summarises the database with a few aggregate queries. Row counts are exact (`count(*)`):
 * DuckDB answers them from table metadata, so they are cheap even for large tables.
 */
export async function describeDatabase(connection: DuckDBConnection): Promise<DatabaseSummary> {
  try {
    const relations = await rows(connection, USER_RELATIONS_SQL);
    const tables: TableSummary[] = [];
    const services: ServiceRange[] = [];
    for (const [name, type] of relations) {
      const table = String(name);
      const count = await rows(connection, `select count(*) from ${quoteIdentifier(table)}`);
      const isTable = type !== 'view';
      tables.push({
        name: table,
        type: isTable ? 'table' : 'view',
        rows: Number(count[0]?.[0] ?? 0),
      });
      if (isTable && (await hasColumns(connection, table, ['_service', '_date']))) {
        services.push(...(await serviceRanges(connection, table)));
      }
    }
    const manifest = relations.some(([name]) => name === MANIFEST)
      ? await manifestSummary(connection)
      : [];
    return { tables, services, manifest };
  } catch (error) {
    if (error instanceof QueryError) {
      throw error;
    }
    throw new QueryError(`cannot describe the database: ${firstLineOf(error)}`, {
      cause: error,
    });
  }
}

async function serviceRanges(connection: DuckDBConnection, table: string): Promise<ServiceRange[]> {
  const result = await rows(
    connection,
    `select _service, min(_date)::varchar, max(_date)::varchar, count(*) from ${quoteIdentifier(table)} group by _service order by _service`,
  );
  return result.map(([service, first, last, count]) => ({
    table,
    service: String(service),
    firstDay: String(first),
    lastDay: String(last),
    rows: Number(count),
  }));
}

async function manifestSummary(connection: DuckDBConnection): Promise<ManifestSummary[]> {
  const result = await rows(
    connection,
    `select status, count(*), coalesce(sum(rows), 0), coalesce(sum(size), 0) from ${MANIFEST} group by status order by status`,
  );
  return result.map(([status, blobs, rowCount, bytes]) => ({
    status: String(status),
    blobs: Number(blobs),
    rows: Number(rowCount),
    bytes: Number(bytes),
  }));
}

async function hasColumns(
  connection: DuckDBConnection,
  table: string,
  columns: readonly string[],
): Promise<boolean> {
  const result = await rows(
    connection,
    `select column_name from information_schema.columns where table_schema = ${quoteLiteral('main')} and table_name = ${quoteLiteral(table)}`,
  );
  const names = new Set(result.map(([name]) => String(name)));
  return columns.every((column) => names.has(column));
}

async function rows(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowsJson() as unknown[][];
}
