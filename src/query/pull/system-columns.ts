/**
 * The columns every loaded row carries (design.md, data model), in table order. Data columns
 * follow them; a data column that would collide with one is renamed (`data_row`, ...).
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

/** Lower-case names of the system columns plus the staging-only helpers. */
export const SYSTEM_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...SYSTEM_COLUMNS.map(([name]) => name),
  '_line',
  '_blob_id',
  '_idx',
  '_corr',
  '_time',
  '_mv',
]);

/** The key `scored` joins inputs to predictions on (never the correlation id alone). */
export const JOIN_KEY = [
  '_service',
  '_model',
  '_model_version',
  '_correlation_id',
  '_row',
] as const;
