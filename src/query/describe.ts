import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryError } from '../errors.js';
import { firstLineOf } from '../secrets.js';
import { readRoles } from './pull/role-map.js';
import { DATA_SCHEMA } from './pull/system-columns.js';
import { type Role, roleOfIdentifier } from './roles.js';
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

/** An identifier the database holds rows of, and the role (table) they load into. */
export interface IdentifierSummary {
  identifier: string;
  /** `inputs`, `predictions` or `labels`; undefined: a table of its own. */
  role: Role | undefined;
  /** Whether `--role` gave the role (remembered in the database), not the name. */
  mapped: boolean;
  table: string;
  blobs: number;
  rows: number;
}

/** Input rows of one day and how many of them have a label (`_labeled` in `scored`). */
export interface LabeledDay {
  day: string;
  inputs: number;
  labeled: number;
}

/** What `mdq ls` shows without --source: the database's tables, days per service, manifest. */
export interface DatabaseSummary {
  tables: TableSummary[];
  services: ServiceRange[];
  /** Blobs by status ('loaded', 'quarantined'); empty when nothing was pulled. */
  manifest: ManifestSummary[];
  /** Each identifier loaded, with its role; empty when nothing was pulled. */
  identifiers: IdentifierSummary[];
  /** Labeled share of the input rows per day; empty when no input row has a label. */
  labeledDays: LabeledDay[];
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
    const hasManifest = relations.some(([name]) => name === MANIFEST);
    const manifest = hasManifest ? await manifestSummary(connection) : [];
    const identifiers = hasManifest ? await identifierSummary(connection) : [];
    const labeledDays = (await hasColumns(connection, 'scored', ['_date', '_labeled']))
      ? await labeledShare(connection)
      : [];
    return { tables, services, manifest, identifiers, labeledDays };
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

async function identifierSummary(connection: DuckDBConnection): Promise<IdentifierSummary[]> {
  const remembered = await readRoles(connection);
  const result = await rows(
    connection,
    `select identifier, table_name, count(*), coalesce(sum(rows), 0) from ${MANIFEST}
     where status = 'loaded' group by all order by identifier, table_name`,
  );
  return result.map(([identifier, table, blobs, rowCount]) => {
    const name = String(identifier);
    return {
      identifier: name,
      role: roleOfIdentifier(name, remembered),
      mapped: remembered.has(name.toLowerCase()),
      table: String(table),
      blobs: Number(blobs),
      rows: Number(rowCount),
    };
  });
}

async function labeledShare(connection: DuckDBConnection): Promise<LabeledDay[]> {
  const any = await rows(connection, 'select count(*) from scored where _labeled');
  if (Number(any[0]?.[0] ?? 0) === 0) {
    return [];
  }
  const result = await rows(
    connection,
    `select _date::varchar, count(*), count(*) filter (where _labeled) from scored
     group by _date order by _date`,
  );
  return result.map(([day, inputs, labeled]) => ({
    day: String(day),
    inputs: Number(inputs),
    labeled: Number(labeled),
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
