import type { DuckDBConnection } from '@duckdb/node-api';
import { firstLineOf } from '../../secrets.js';
import { quoteIdentifier } from '../sql.js';
import { inferTypes } from './column-types.js';
import { markQuarantined } from './file-map.js';
import { groupPaths, type TableLoad } from './load-batch.js';
import type { TableInsert } from './load-typed.js';
import { throwIfOutOfMemory } from './out-of-memory.js';
import { readStagedSql, selectGroupSql } from './read-staged.js';
import type { StagedFile } from './stage.js';
import { isReservedColumn } from './system-columns.js';
import { fitColumns, SYSTEM_SELECT } from './table-columns.js';

export interface CarefulLoad {
  /** Inside the transaction: fits the tables, returns what each inserts. */
  prepare(): Promise<TableInsert[]>;
  drop(): Promise<void>;
}

/**
 * The careful way, for a batch the fast way could not load: every group is read as text into
 * a temp table (outside the transaction), a blob DuckDB cannot read is found file by file and
 * quarantined in `files`, and the types come from every value, so the INSERT cannot fail on one.
 */
export async function loadCarefully(
  connection: DuckDBConnection,
  tables: readonly TableLoad[],
  files: StagedFile[],
  batchDir: string,
): Promise<CarefulLoad> {
  const stages: Array<{ table: string; stage: string }> = [];
  for (const [n, load] of tables.entries()) {
    const stage = `_mdq_stage_${n}`;
    if (await buildStage(connection, stage, load, files, batchDir)) {
      stages.push({ table: load.table, stage });
    }
  }
  return {
    async prepare() {
      const inserts: TableInsert[] = [];
      for (const { table, stage } of stages) {
        inserts.push(await insertFromStage(connection, table, stage));
      }
      return inserts;
    },
    async drop() {
      for (const { stage } of stages) {
        await connection
          .run(`DROP TABLE IF EXISTS ${quoteIdentifier(stage)}`)
          .catch(() => undefined);
      }
    },
  };
}

/** Builds the text stage of one table; false when every blob of it was quarantined. */
async function buildStage(
  connection: DuckDBConnection,
  stage: string,
  load: TableLoad,
  files: StagedFile[],
  batchDir: string,
): Promise<boolean> {
  const create = (groups: TableLoad['groups']) =>
    connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(stage)} AS ${groups
        .map(({ group, paths }) => `(${selectGroupSql(group, paths)})`)
        .join(' UNION ALL BY NAME ')}`,
    );
  try {
    await create(load.groups);
    return true;
  } catch (error) {
    throwIfOutOfMemory(error);
    // Some blob is unreadable: find it, quarantine it, load the rest.
  }
  const readable: TableLoad['groups'] = [];
  for (const [g, { group }] of load.groups.entries()) {
    for (const [i, staged] of group.files.entries()) {
      const single = { ...group, files: [staged] };
      const paths = await groupPaths(single, batchDir, `${stage}-${g}-${i}`);
      try {
        await connection.run(`SELECT count(*) FROM ${readStagedSql(group, paths)}`);
        readable.push({ group: single, paths });
      } catch (error) {
        throwIfOutOfMemory(error);
        let firstLine = firstLineOf(error);
        for (const path of paths) {
          firstLine = firstLine.replaceAll(path, 'it');
        }
        const reason = `${staged.planned.blob.name} cannot be read: ${firstLine}`;
        files[files.indexOf(staged)] = { ...staged, quarantine: reason };
        await markQuarantined(connection, staged, reason);
      }
    }
  }
  if (readable.length === 0) {
    return false;
  }
  await create(readable);
  return true;
}

async function insertFromStage(
  connection: DuckDBConnection,
  table: string,
  stage: string,
): Promise<TableInsert> {
  const described = await connection.runAndReadAll(`DESCRIBE ${quoteIdentifier(stage)}`);
  const dataColumns = described
    .getRowObjectsJson()
    .map((row) => String(row.column_name))
    .filter((name) => !isReservedColumn(name));
  const inferred = await inferTypes(connection, quoteIdentifier(stage), dataColumns);
  const fitted = await fitColumns(connection, table, inferred);
  const stored: string[] = [];
  const selects = dataColumns.map((column) => {
    const { name, type } = fitted.get(column.toLowerCase()) ?? { name: column, type: 'VARCHAR' };
    stored.push(name);
    const c = quoteIdentifier(column);
    // The types were read off every value, so TRY_CAST never meets one it cannot convert.
    return `${type === 'VARCHAR' ? c : `TRY_CAST(${c} AS ${type})`} AS ${quoteIdentifier(name)}`;
  });
  const counted = await connection.runAndReadAll(`SELECT count(*) FROM ${quoteIdentifier(stage)}`);
  return {
    table,
    select: `SELECT ${SYSTEM_SELECT}${selects.length > 0 ? `, ${selects.join(', ')}` : ''}
      FROM ${quoteIdentifier(stage)}`,
    columns: stored,
    rows: Number(counted.getRowsJson()[0]?.[0] ?? 0),
  };
}
