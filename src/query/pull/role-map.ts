import type { DuckDBConnection } from '@duckdb/node-api';
import { isRole, type Role, type RoleMap } from '../roles.js';
import { quoteLiteral } from '../sql.js';
import { storedTable } from './schema.js';
import { DATA_SCHEMA, ROLES_TABLE } from './system-columns.js';

const TABLE = storedTable(ROLES_TABLE);

/**
 * The identifier roles of this database: what earlier pulls were told with `--role`, updated
 * with this pull's `given` (which win) and saved, so later pulls and the views agree on which
 * table an identifier's rows belong to. Identifiers match case-insensitively.
 */
export async function rememberRoles(
  connection: DuckDBConnection,
  given: Readonly<Record<string, Role>> = {},
): Promise<RoleMap> {
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (identifier VARCHAR PRIMARY KEY, role VARCHAR)`,
  );
  for (const [identifier, role] of Object.entries(given)) {
    await connection.run(
      `INSERT OR REPLACE INTO ${TABLE} VALUES (${quoteLiteral(identifier.toLowerCase())}, ${quoteLiteral(role)})`,
    );
  }
  return readRoles(connection);
}

/** The remembered roles (empty when no pull was given any, or no table yet). */
export async function readRoles(connection: DuckDBConnection): Promise<RoleMap> {
  const exists = await connection.runAndReadAll(
    `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
       AND schema_name = ${quoteLiteral(DATA_SCHEMA)} AND table_name = ${quoteLiteral(ROLES_TABLE)}`,
  );
  const roles = new Map<string, Role>();
  if (Number(exists.getRowsJson()[0]?.[0] ?? 0) === 0) {
    return roles;
  }
  const reader = await connection.runAndReadAll(`SELECT identifier, role FROM ${TABLE}`);
  for (const [identifier, role] of reader.getRowsJson()) {
    if (typeof identifier === 'string' && typeof role === 'string' && isRole(role)) {
      roles.set(identifier, role);
    }
  }
  return roles;
}
