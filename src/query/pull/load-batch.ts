import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay } from '../../layout/days.js';
import { redactSecrets } from '../../secrets.js';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { inferTypes, widen } from './column-types.js';
import { recordBlobs } from './manifest.js';
import { groupStaged, readStagedSql, type StagedGroup, selectGroupSql } from './read-staged.js';
import { ensureTable, tableColumns } from './schema.js';
import type { StagedFile } from './stage.js';
import { SYSTEM_COLUMN_NAMES } from './system-columns.js';

export interface BatchOutcome {
  rowsByTable: Map<string, number>;
  /** Files of the batch, with any DuckDB read failure turned into a quarantine. */
  files: StagedFile[];
}

/**
 * Loads a batch of staged blobs and records them in the manifest in ONE transaction, so a
 * pull killed at any moment (SIGKILL included) leaves every blob either fully loaded and
 * recorded or absent from both; the next pull then loads exactly what is missing. Rows of a
 * blob that changed since it was loaded are deleted in the same transaction.
 */
export async function loadBatch(
  connection: DuckDBConnection,
  source: string,
  batch: readonly StagedFile[],
): Promise<BatchOutcome> {
  const files = [...batch];
  await createFileMap(connection, files);
  const byTable = new Map<string, StagedFile[]>();
  for (const staged of files) {
    if (staged.file !== undefined && staged.quarantine === undefined) {
      const list = byTable.get(staged.planned.table) ?? [];
      list.push(staged);
      byTable.set(staged.planned.table, list);
    }
  }
  // Stage outside the transaction: a file DuckDB cannot read is found and quarantined here.
  const stages: Array<{ table: string; stage: string }> = [];
  let n = 0;
  for (const [table, tableFiles] of byTable) {
    const stage = `_mdq_stage_${n++}`;
    await buildStage(connection, stage, tableFiles, files);
    stages.push({ table, stage });
  }
  const rowsByTable = new Map<string, number>();
  await connection.run('BEGIN TRANSACTION');
  try {
    // Schema changes first: DuckDB refuses to ALTER a table already modified in the transaction.
    const inserts: string[] = [];
    for (const { table, stage } of stages) {
      const insert = await prepareInsert(connection, table, stage);
      if (insert) {
        inserts.push(insert);
      }
    }
    await deleteReplacedRows(connection, files);
    for (const insert of inserts) {
      await connection.run(insert);
    }
    await recordBlobs(connection, source, files);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    for (const { stage } of stages) {
      await connection.run(`DROP TABLE IF EXISTS ${quoteIdentifier(stage)}`).catch(() => undefined);
    }
  }
  for (const staged of files) {
    if (staged.quarantine === undefined && staged.rows > 0) {
      const table = staged.planned.table;
      rowsByTable.set(table, (rowsByTable.get(table) ?? 0) + staged.rows);
    }
  }
  return { rowsByTable, files };
}

async function createFileMap(connection: DuckDBConnection, files: StagedFile[]): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE _mdq_files (
    path VARCHAR, blob VARCHAR, service VARCHAR, model VARCHAR, model_version VARCHAR,
    identifier VARCHAR, day DATE)`);
  const rows = files
    .filter((staged) => staged.file !== undefined)
    .map(({ file, planned: { blob, path } }) =>
      [
        quoteLiteral(file ?? ''),
        quoteLiteral(blob.name),
        quoteLiteral(path.service),
        quoteLiteral(path.model),
        quoteLiteral(path.modelVersion),
        quoteLiteral(path.identifier),
        `DATE ${quoteLiteral(formatDay(path.day))}`,
      ].join(', '),
    );
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows.slice(i, i + 500).map((row) => `(${row})`);
    await connection.run(`INSERT INTO _mdq_files VALUES ${values.join(',\n')}`);
  }
}

async function buildStage(
  connection: DuckDBConnection,
  stage: string,
  tableFiles: StagedFile[],
  allFiles: StagedFile[],
): Promise<void> {
  const create = (groups: StagedGroup[]) =>
    connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(stage)} AS ${groups
        .map((group) => `(${selectGroupSql(group, group.files)})`)
        .join(' UNION ALL BY NAME ')}`,
    );
  try {
    await create(groupStaged(tableFiles));
    return;
  } catch {
    // Some file is unreadable: find it, quarantine it, load the rest.
  }
  const readable: StagedFile[] = [];
  for (const group of groupStaged(tableFiles)) {
    for (const staged of group.files) {
      try {
        await connection.run(`SELECT count(*) FROM ${readStagedSql(group, [staged])}`);
        readable.push(staged);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const firstLine = (message.split('\n')[0] ?? '').replaceAll(staged.file ?? '', 'it');
        const reason = `${staged.planned.blob.name} cannot be read: ${redactSecrets(firstLine)}`;
        allFiles[allFiles.indexOf(staged)] = { ...staged, quarantine: reason };
      }
    }
  }
  const groups = groupStaged(readable);
  if (groups.length === 0) {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdentifier(stage)} AS SELECT 1 AS _none WHERE false`,
    );
    return;
  }
  await create(groups);
}

async function deleteReplacedRows(
  connection: DuckDBConnection,
  files: StagedFile[],
): Promise<void> {
  const byTable = new Map<string, string[]>();
  for (const { planned } of files) {
    if (planned.previous?.status === 'loaded') {
      const list = byTable.get(planned.previous.table) ?? [];
      list.push(quoteLiteral(planned.blob.name));
      byTable.set(planned.previous.table, list);
    }
  }
  for (const [table, blobs] of byTable) {
    if ((await tableColumns(connection, table)).size > 0) {
      await connection.run(
        `DELETE FROM ${quoteIdentifier(table)} WHERE _blob IN (${blobs.join(', ')})`,
      );
    }
  }
}

/** Widens/adds the table's columns for the stage; returns the INSERT to run afterwards. */
async function prepareInsert(
  connection: DuckDBConnection,
  table: string,
  stage: string,
): Promise<string | undefined> {
  const described = await connection.runAndReadAll(`DESCRIBE ${quoteIdentifier(stage)}`);
  const stageColumns = described.getRowObjectsJson().map((row) => String(row.column_name));
  if (!stageColumns.includes('_blob')) {
    return undefined; // every file of this table was quarantined
  }
  const dataColumns = stageColumns.filter((name) => !SYSTEM_COLUMN_NAMES.has(name.toLowerCase()));
  const inferred = await inferTypes(connection, stage, dataColumns);
  await ensureTable(connection, table);
  const existing = new Map<string, { name: string; type: string }>();
  for (const [name, type] of await tableColumns(connection, table)) {
    existing.set(name.toLowerCase(), { name, type });
  }
  const selects: string[] = [];
  for (const column of dataColumns) {
    const found = existing.get(column.toLowerCase());
    const incoming = inferred.get(column);
    let type: string;
    if (found) {
      type = widen(found.type, incoming);
      if (type !== found.type) {
        await connection.run(
          `ALTER TABLE ${quoteIdentifier(table)} ALTER COLUMN ${quoteIdentifier(found.name)} SET DATA TYPE ${type}`,
        );
      }
    } else {
      type = incoming ?? 'VARCHAR';
      await connection.run(
        `ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN ${quoteIdentifier(column)} ${type}`,
      );
    }
    const c = quoteIdentifier(column);
    const value = type === 'VARCHAR' ? c : `TRY_CAST(${c} AS ${type})`;
    selects.push(`${value} AS ${quoteIdentifier(found?.name ?? column)}`);
  }
  return `INSERT INTO ${quoteIdentifier(table)} BY NAME
    SELECT _service, _model, _model_version, _identifier, _date, _ts, _correlation_id,
      row_number() OVER (PARTITION BY _blob, _correlation_id ORDER BY _line, _idx) - 1 AS _row,
      _blob${selects.length > 0 ? `, ${selects.join(', ')}` : ''}
    FROM ${quoteIdentifier(stage)}
    ORDER BY _blob, _line, _idx`;
}
