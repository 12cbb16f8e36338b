/**
 * The columns every loaded row shows (design.md, data model), in the order the role views list
 * them. Data columns follow them; a data column that would collide with one is renamed
 * (`data_row`, ...).
 */
export const SYSTEM_COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['_service', 'VARCHAR'],
  ['_model', 'VARCHAR'],
  ['_model_version', 'VARCHAR'],
  ['_identifier', 'VARCHAR'],
  ['_date', 'DATE'],
  ['_ts', 'TIMESTAMP'],
  ['_correlation_id', 'VARCHAR'],
  ['_row', 'BIGINT'],
  ['_blob', 'VARCHAR'],
];

/**
 * Where the rows are stored: one table per role in this schema, plus `blobs`, one row per
 * loaded blob with its path facts. A row stores its blob's id instead of those facts; the role
 * views in `main` (`inputs`, ...) join them back. Storing the five path strings and the date on
 * every row cost ~25% of DuckDB's CPU in a large pull (bench/README.md, "Data model").
 */
export const DATA_SCHEMA = 'mdq_data';
export const BLOBS_TABLE = 'blobs';
/** Identifier → role mappings given with `--role`, remembered for later pulls (role-map.ts). */
export const ROLES_TABLE = 'identifier_roles';
/** Tables of the data schema that hold no role's rows. */
export const INTERNAL_TABLES: ReadonlySet<string> = new Set([BLOBS_TABLE, ROLES_TABLE]);

/**
 * The system columns a role table stores, in table order. `_stream` is the blob's stream
 * (blobs.ts); `_row_model_version` the row's own model version (v2 events carry one each; NULL
 * for the others, which take their blob's).
 */
export const STORED_SYSTEM_COLUMNS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['_blob_id', 'BIGINT'],
  ['_stream', 'BIGINT'],
  ['_ts', 'TIMESTAMP'],
  ['_correlation_id', 'VARCHAR'],
  ['_row', 'BIGINT'],
  ['_row_model_version', 'VARCHAR'],
];

/** Lower-case names of the system columns plus the stored, staging and `scored` helpers. */
export const SYSTEM_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...SYSTEM_COLUMNS.map(([name]) => name),
  ...STORED_SYSTEM_COLUMNS.map(([name]) => name),
  '_line',
  '_mdq_stream',
  '_mdq_rmv',
  '_mdq_blob_id',
  '_idx',
  '_corr',
  '_time',
  '_mv',
]);

/**
 * Stored columns mdq keeps beside the data start with this (`scored`'s matches, companions.ts);
 * a data column whose name starts with it is renamed `data_mdq_…`, like a system column's.
 */
export const HELPER_PREFIX = '_mdq_';

/** Whether a data column must be renamed (`data…`): it would collide with what mdq stores. */
export function isReservedColumn(name: string): boolean {
  const lower = name.toLowerCase();
  return SYSTEM_COLUMN_NAMES.has(lower) || lower.startsWith(HELPER_PREFIX);
}
