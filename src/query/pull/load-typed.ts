import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../sql.js';
import { type InferredType, inferTypes, widen } from './column-types.js';
import type { TableLoad } from './load-batch.js';
import { readStagedSql, type StagedGroup, selectGroupSql } from './read-staged.js';
import { fitColumns, SYSTEM_SELECT } from './table-columns.js';

/**
 * How read_csv parses a column of the table's type. Only DOUBLE and VARCHAR are trusted to
 * the parser: DuckDB turns '5.5' into BIGINT 6 and 'yes' into BOOLEAN true without a word, so
 * those are read as DOUBLE/text and checked by `checked`.
 */
function readType(type: string): string {
  return type === 'DOUBLE' || type === 'BIGINT' ? 'DOUBLE' : 'VARCHAR';
}

/** The value converted to the table's type, or an error that sends the batch the careful way. */
function checked(column: string, type: string): string {
  switch (type) {
    case 'VARCHAR':
    case 'DOUBLE':
      return column;
    case 'BIGINT':
      // Exact only below 2^53; beyond, the careful way casts the text itself.
      return `CASE WHEN ${column} IS NULL THEN NULL
        WHEN ${column} = trunc(${column}) AND abs(${column}) < 9007199254740992 THEN CAST(${column} AS BIGINT)
        ELSE error('mdq: not a whole number') END`;
    case 'BOOLEAN':
      return `CASE WHEN ${column} IS NULL THEN NULL WHEN lower(${column}) = 'true' THEN true
        WHEN lower(${column}) = 'false' THEN false ELSE error('mdq: not a boolean') END`;
    default:
      return `CAST(${column} AS ${type})`;
  }
}

/**
 * The rows of one table a batch inserts: a SELECT whose columns are named as stored (data
 * columns `columns`), and how many rows it must give (as staging counted them).
 */
export interface TableInsert {
  table: string;
  select: string;
  columns: string[];
  rows: number;
}

/** Rows per group the types are guessed from. */
const SAMPLE_ROWS = 20_000;

/**
 * The fast way: guess each column's type from a sample, fit the tables, and return SELECTs
 * that parse the staged files straight into those types (read_csv's native parsers, one pass,
 * no text copy). A value that does not parse makes the INSERT fail: the caller rolls back and
 * loads the batch the careful way, so no value is ever turned into NULL.
 */
export async function loadTyped(
  connection: DuckDBConnection,
  tables: readonly TableLoad[],
): Promise<TableInsert[]> {
  const inserts: TableInsert[] = [];
  for (const { table, groups } of tables) {
    const guessed = new Map<string, InferredType>();
    const merge = (column: string, type: InferredType) => {
      const key = column.toLowerCase();
      const before = guessed.get(key);
      guessed.set(
        key,
        before === undefined
          ? type
          : type === undefined
            ? before
            : (widen(before, type) as InferredType),
      );
    };
    for (const { group, paths } of groups) {
      const staged = stagedTypes(group);
      if (staged !== undefined) {
        group.columns.forEach((column, i) => {
          merge(column, staged[i]);
        });
        continue;
      }
      const columns = group.columns.map((name, i) => `c${i} AS ${quoteIdentifier(name)}`);
      const sample = `(SELECT ${columns.join(', ')} FROM ${readStagedSql(group, paths)} LIMIT ${SAMPLE_ROWS})`;
      for (const [column, type] of await inferTypes(connection, sample, group.columns)) {
        merge(column, type);
      }
    }
    const named = new Map<string, InferredType>();
    for (const { group } of groups) {
      for (const column of group.columns) {
        named.set(column, guessed.get(column.toLowerCase()));
      }
    }
    const fitted = await fitColumns(connection, table, named);
    const stored = new Map<string, string>();
    const selects = groups.map(({ group, paths }) => {
      const targets = group.columns.map(
        (column) => fitted.get(column.toLowerCase()) ?? { name: column, type: 'VARCHAR' },
      );
      for (const { name } of targets) {
        stored.set(name.toLowerCase(), name);
      }
      const types = targets.map(({ type }) => readType(type));
      // selectGroupSql names the data columns as staged; DuckDB matches names case-insensitively.
      const data = targets.map(
        ({ name, type }) => `${checked(quoteIdentifier(name), type)} AS ${quoteIdentifier(name)}`,
      );
      return `(SELECT ${SYSTEM_SELECT}${data.length > 0 ? `, ${data.join(', ')}` : ''}
        FROM (${selectGroupSql(group, paths, types)}))`;
    });
    inserts.push({
      table,
      select: selects.join(' UNION ALL BY NAME '),
      columns: [...stored.values()],
      rows: groups.reduce(
        (sum, { group }) => sum + group.files.reduce((n, staged) => n + staged.rows, 0),
        0,
      ),
    });
  }
  return inserts;
}

/** The group's column types as its stagers guessed them, or undefined when one did not. */
function stagedTypes(group: StagedGroup): InferredType[] | undefined {
  const types: InferredType[] = [];
  for (const staged of group.files) {
    if (staged.types === undefined) {
      return undefined;
    }
    group.columns.forEach((_, i) => {
      const before = types[i];
      const type = staged.types?.[i];
      types[i] =
        before === undefined
          ? type
          : type === undefined
            ? before
            : (widen(before, type) as InferredType);
    });
  }
  return types;
}
