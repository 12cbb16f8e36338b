import { quoteIdentifier } from '../sql.js';
import { AKS_GENERATED, WORKBENCH_GENERATED } from './csv-columns.js';

/**
 * The data columns a CSV row's correlation key comes from, in precedence order (formats.md
 * §5.6): the first non-empty of AKS's id, Workbench's $CorrelationId and its $RequestId.
 */
const [AKS_KEY] = AKS_GENERATED;
const [, WORKBENCH_CORRELATION, WORKBENCH_REQUEST] = WORKBENCH_GENERATED;
export const KEY_COLUMNS: readonly string[] = [AKS_KEY, WORKBENCH_CORRELATION, WORKBENCH_REQUEST];
const KEY_NAMES = new Set(KEY_COLUMNS.map((name) => name.toLowerCase()));

/**
 * Key columns are identifiers, stored as text whatever they look like: read as numbers, '7'
 * became '7.0' on rows loaded the typed way and stayed '7' on rows loaded the careful way, and
 * inputs and predictions loaded in different batches no longer joined. An empty key is stored
 * as NULL, so the column itself is the key (shownCorrelationSql).
 */
export function isCorrelationKeyColumn(name: string): boolean {
  return KEY_NAMES.has(name.toLowerCase());
}

/** A key column's staged text as stored: '' (a quoted empty field) is no key, NULL. */
export function keyValueSql(text: string): string {
  return `NULLIF(${text}, '')`;
}

/**
 * `_correlation_id` as users see it, from stored row `alias` of a table whose data columns are
 * `columns` (name → type): the stored key, else the first key column that has one.
 *
 * CSV rows store NULL there, because their key columns hold the key already: a second copy of
 * a unique id per row cost ~20% of DuckDB's CPU and ~23% of the file on one-row-per-request
 * archives (bench/README.md, "Data model"). v2 rows store theirs (it has no data column), and
 * so do rows loaded by earlier versions, which therefore need no migration. A plain COALESCE
 * of columns keeps `scored`'s join as fast as on a stored column; wrapping it in NULLIF made
 * exporting `scored` ~25% slower (DuckDB then hashes materialised strings).
 *
 * `storesKeys` false (no stored row of the table holds a key) leaves the stored column out:
 * a single key column is then shown as it is, so a filter on `_correlation_id` reaches the
 * table scan and `select * … where _correlation_id = …` reads the other columns of the
 * matching rows only (7x faster on 3.3M rows than through the COALESCE).
 */
export function shownCorrelationSql(
  columns: ReadonlyMap<string, string>,
  alias: string,
  storesKeys = true,
): string {
  const keys = KEY_COLUMNS.flatMap((key) => {
    const found = [...columns].find(([name]) => name.toLowerCase() === key.toLowerCase());
    if (found === undefined) {
      return [];
    }
    const [name, type] = found;
    const column = `${alias}.${quoteIdentifier(name)}`;
    // A table no pull has loaded into since keys became text may still hold one as a number.
    return [type === 'VARCHAR' ? column : `CAST(${column} AS VARCHAR)`];
  });
  if (keys.length === 0) {
    return `${alias}._correlation_id`;
  }
  const parts = storesKeys ? [`${alias}._correlation_id`, ...keys] : keys;
  return parts.length === 1 ? (parts[0] as string) : `COALESCE(${parts.join(', ')})`;
}
