import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { deleteReplacedRows, registerBlobs } from './blobs.js';
import { fitCompanionColumns } from './companions.js';
import { createFileMap } from './file-map.js';
import { loadCarefully } from './load-careful.js';
import { loadTyped, type TableInsert } from './load-typed.js';
import { recordBlobs } from './manifest.js';
import { BatchMatcher, restoreJoinSettings } from './match-batch.js';
import { throwIfOutOfMemory } from './out-of-memory.js';
import { groupStaged, type StagedGroup } from './read-staged.js';
import { storedTable } from './schema.js';
import type { StagedFile } from './stage.js';
import type { StagingDir } from './staging-dir.js';
import { recreateViews } from './views.js';

export interface BatchOutcome {
  rowsByTable: Map<string, number>;
  /** Files of the batch, with any DuckDB read failure turned into a quarantine. */
  files: StagedFile[];
}

/** The groups of one table, with the files DuckDB reads for each. */
export interface TableLoad {
  table: string;
  groups: Array<{ group: StagedGroup; paths: string[] }>;
}

/**
 * Loads a batch of staged blobs and records them in the manifest in ONE transaction, so a
 * pull killed at any moment (SIGKILL included) leaves every blob either fully loaded and
 * recorded or absent from both; the next pull then loads exactly what is missing. Rows of a
 * blob that changed since it was loaded are deleted in the same transaction.
 *
 * First the fast way (types guessed from a sample, parsed by read_csv directly); if any value
 * does not fit or a file is unreadable, the transaction is rolled back and the batch goes the
 * careful way (all text, types from every value, unreadable blobs quarantined).
 */
export async function loadBatch(
  connection: DuckDBConnection,
  source: string,
  batch: readonly StagedFile[],
  staging: StagingDir,
): Promise<BatchOutcome> {
  const files = [...batch];
  // Small blobs are written into this batch's own folder, removed once the batch is in.
  const batchDir = join(staging.path, `batch-${randomUUID()}`);
  await mkdir(batchDir, { recursive: true });
  try {
    await createFileMap(connection, files);
    const tables = await tableLoads(files, batchDir);
    if (!(await tryTyped(connection, source, files, tables))) {
      const careful = await loadCarefully(connection, tables, files, batchDir);
      await inTransaction(connection, async () => {
        // Careful loads are rare: they take the first loaded of duplicate keys from the start.
        await insertRows(connection, source, files, await careful.prepare(), true);
      }).finally(careful.drop);
    }
  } finally {
    await rm(batchDir, { recursive: true, force: true });
  }
  const rowsByTable = new Map<string, number>();
  for (const staged of files) {
    if (hasRows(staged)) {
      const table = staged.planned.table;
      rowsByTable.set(table, (rowsByTable.get(table) ?? 0) + staged.rows);
    }
  }
  return { rowsByTable, files };
}

/**
 * The fast way, in one transaction: false (rolled back) when a value does not fit its guessed
 * type, a file cannot be read as it is, or an INSERT's row count differs from what staging
 * counted (DuckDB must never drop a row silently). Out of memory fails the pull. Input rows
 * that multiplied (a companion holds one key twice in their days) go again with duplicates
 * removed first.
 */
async function tryTyped(
  connection: DuckDBConnection,
  source: string,
  files: StagedFile[],
  tables: TableLoad[],
): Promise<boolean> {
  for (const dedup of [false, true]) {
    try {
      await inTransaction(connection, async () => {
        await insertRows(connection, source, files, await loadTyped(connection, tables), dedup);
      });
      return true;
    } catch (error) {
      throwIfOutOfMemory(error);
      if (!(error instanceof RowsMultiplied) || dedup) {
        return false;
      }
    }
  }
  return false;
}

/** An INSERT of input rows gave more rows than staged: their matches multiplied them. */
class RowsMultiplied extends Error {}

/**
 * Everything a batch's transaction writes once its tables are fitted: rows of replaced blobs
 * deleted, the blobs registered (path facts), companions and other tables inserted, then input
 * rows with their matches (match-batch.ts), the manifest, and views listing any new column.
 */
async function insertRows(
  connection: DuckDBConnection,
  source: string,
  files: readonly StagedFile[],
  inserts: readonly TableInsert[],
  dedup: boolean,
): Promise<void> {
  await fitCompanionColumns(connection);
  const deleted = await deleteReplacedRows(connection, source, files);
  const matcher = await BatchMatcher.prepare(connection, deleted);
  await registerBlobs(connection, source);
  const inserted = async (table: string, select: string) => {
    const reader = await connection.runAndReadAll(
      `INSERT INTO ${storedTable(table)} BY NAME ${select}`,
    );
    return Number(reader.getRows()[0]?.[0] ?? -1);
  };
  for (const insert of inserts.filter(({ table }) => table !== 'inputs')) {
    const rows = await inserted(insert.table, insert.select);
    if (rows !== insert.rows) {
      throw new Error(`inserted ${rows} rows where ${insert.rows} were staged`);
    }
  }
  await matcher.afterCompanions();
  for (const insert of inserts.filter(({ table }) => table === 'inputs')) {
    const select = matcher.inputsSelect(insert.select, insert.columns, dedup);
    const rows = await matcher.withJoinSettings(() => inserted('inputs', select));
    if (rows > insert.rows) {
      throw new RowsMultiplied(`inserted ${rows} input rows where ${insert.rows} were staged`);
    }
    if (rows !== insert.rows) {
      throw new Error(`inserted ${rows} rows where ${insert.rows} were staged`);
    }
  }
  await matcher.afterInputs();
  await recordBlobs(connection, source);
  await recreateViews(connection);
}

async function inTransaction(connection: DuckDBConnection, work: () => Promise<void>) {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    await restoreJoinSettings(connection);
    throw error;
  }
}

export function hasRows(staged: StagedFile): boolean {
  return (
    staged.quarantine === undefined &&
    staged.rows > 0 &&
    (staged.file !== undefined || staged.chunks !== undefined)
  );
}

async function tableLoads(files: StagedFile[], batchDir: string): Promise<TableLoad[]> {
  const byTable = new Map<string, StagedFile[]>();
  for (const staged of files) {
    if (hasRows(staged)) {
      const list = byTable.get(staged.planned.table) ?? [];
      list.push(staged);
      byTable.set(staged.planned.table, list);
    }
  }
  const tables: TableLoad[] = [];
  let n = 0;
  for (const [table, tableFiles] of byTable) {
    const groups: TableLoad['groups'] = [];
    for (const group of groupStaged(tableFiles)) {
      groups.push({ group, paths: await groupPaths(group, batchDir, `g${n++}`) });
    }
    tables.push({ table, groups });
  }
  return tables;
}

/**
 * The files DuckDB reads for a group: large blobs' own files, plus one file holding every
 * small blob of the group (their rows carry their blob's id, so they stay apart).
 */
export async function groupPaths(
  group: StagedGroup,
  batchDir: string,
  name: string,
): Promise<string[]> {
  const paths = group.files.flatMap((staged) => (staged.file === undefined ? [] : [staged.file]));
  const inMemory = group.files.filter((staged) => staged.file === undefined);
  if (inMemory.length > 0) {
    const path = join(batchDir, `${name}.csv`);
    const out = createWriteStream(path);
    for (const staged of inMemory) {
      for (const chunk of staged.chunks ?? []) {
        if (!out.write(chunk)) {
          await once(out, 'drain');
        }
      }
    }
    out.end();
    await once(out, 'finish');
    paths.push(path);
  }
  return paths;
}
