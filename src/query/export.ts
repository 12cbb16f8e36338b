import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { throwIfAborted } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { copyTo, listFiles } from './export-copy.js';
import { assertNotProtected, type ProtectedPaths } from './export-guard.js';
import { inspectLocalTarget, placeFile, placeFolder } from './export-local.js';
import { inspectStoreTarget, uploadExport } from './export-store.js';

export type { ProtectedPaths } from './export-guard.js';

export type ExportFormat = 'parquet' | 'csv';

/** What to export: a table or view by name, or a query. */
export type ExportSource = { table: string } | { query: string };

export interface ExportOptions {
  source: ExportSource;
  format: ExportFormat;
  /** Hive-partition by these columns (`key=value/` folders); the output is then a folder. */
  partitionBy?: readonly string[];
  /**
   * Replace an earlier mdq export at the target (default: an existing target is an error).
   * Only what an export wrote and marked is ever replaced (export-marker.ts).
   */
  overwrite?: boolean;
  signal?: AbortSignal;
}

export interface ExportToPathOptions extends ExportOptions {
  /** Never a target, even with `overwrite`: the database and the current folder. */
  protect?: ProtectedPaths;
  /** How the user named the target, for messages (default: the path). */
  out?: string;
}

export interface ExportResult {
  /** Absolute path of the file, or of the folder when partitioned. */
  path: string;
  rows: number;
  /** Data files written, relative to `path` (empty for a single file). */
  files: string[];
  /**
   * The earlier export, set aside, when something it did not list appeared in it while this
   * one was written: it is kept, not removed.
   */
  leftover?: string;
}

/**
 * Writes a table, view or query to Parquet or CSV with DuckDB's COPY. An existing target is an
 * error unless `overwrite`, which replaces an earlier mdq export there and nothing else.
 * Atomic: DuckDB writes into a hidden temporary beside the target, which takes the target's
 * place only when COPY has succeeded, so a failed or interrupted export leaves the previous
 * one as it was.
 */
export async function exportToPath(
  connection: DuckDBConnection,
  out: string,
  options: ExportToPathOptions,
): Promise<ExportResult> {
  const target = resolve(out);
  const shown = options.out ?? out;
  const isFolder = (options.partitionBy?.length ?? 0) > 0;
  await assertNotProtected(target, shown, isFolder, options.protect ?? {});
  const plan = await inspectLocalTarget(target, shown, isFolder, options.overwrite ?? false);
  await mkdir(dirname(target), { recursive: true });
  const temporary = join(
    dirname(target),
    `.mdq-tmp-${randomBytes(6).toString('hex')}-${basename(target)}`,
  );
  try {
    const rows = await copyTo(connection, temporary, options);
    throwIfAborted(options.signal);
    if (!isFolder) {
      await placeFile(temporary, target, shown, plan);
      return { path: target, rows, files: [] };
    }
    const files = await listFiles(temporary);
    const { leftover } = await placeFolder(temporary, target, shown, plan);
    return { path: target, rows, files, ...(leftover === undefined ? {} : { leftover }) };
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

export interface ExportToStoreOptions extends ExportOptions {
  store: BlobStore;
  /** Blob name of the file, or blob prefix of the folder (partitioned, or without extension). */
  prefix: string;
  /** How the user named the target, for messages (default: the store's description). */
  out?: string;
  concurrency: number;
  /** Where the local copy is staged before upload (default: the OS temp folder). */
  stagingDir?: string;
  onProgress?: (event: { uploaded: number; total: number }) => void;
}

export interface ExportToStoreResult {
  rows: number;
  /** Blob names written. */
  blobs: string[];
}

/**
 * Exports locally into a temporary folder, then uploads the files concurrently. A prefix that
 * ends in `.parquet`/`.csv` (and no partitioning) is one blob; any other prefix is a folder of
 * `data_0_<id>.<ext>` or hive partitions, which is what Spark and Synapse read as one table.
 * The target is checked first, by the same rule as a local one (export-store.ts).
 */
export async function exportToStore(
  connection: DuckDBConnection,
  options: ExportToStoreOptions,
): Promise<ExportToStoreResult> {
  const isFolder = !isFileName(options.prefix) || (options.partitionBy?.length ?? 0) > 0;
  const target = {
    name: isFolder ? options.prefix.replace(/\/+$/, '') : options.prefix,
    isFolder,
    where: `--out ${options.out ?? options.store.description}`,
  };
  const inspected = await inspectStoreTarget(options.store, target, options.overwrite ?? false);
  const staging = await mkdtemp(join(options.stagingDir ?? tmpdir(), 'mdq-export-'));
  try {
    const isPartitioned = (options.partitionBy?.length ?? 0) > 0;
    const local = isPartitioned
      ? join(staging, 'out')
      : isFolder
        ? join(staging, 'out', `data_0.${options.format}`)
        : join(staging, `data.${options.format}`);
    await mkdir(dirname(local), { recursive: true });
    const rows = await copyTo(connection, local, options);
    throwIfAborted(options.signal);
    const staged = isFolder
      ? { root: join(staging, 'out'), files: await listFiles(join(staging, 'out')) }
      : { root: staging, files: [basename(local)] };
    const blobs = await uploadExport(options.store, target, inspected, staged, {
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { rows, blobs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface SparkLocation {
  account: string;
  container: string;
  /** Blob name or prefix inside the container. */
  path: string;
}

/**
 * The Spark SQL that reads an export from ADLS Gen2 (`abfss://`). A temporary view over the
 * path: Spark discovers `key=value/` partitions itself, with no metastore step.
 */
export function sparkReadStatement(location: SparkLocation, format: ExportFormat): string {
  const url = `abfss://${location.container}@${location.account}.dfs.core.windows.net/${location.path.replace(/^\/+/, '')}`;
  const options =
    format === 'csv'
      ? `path ${sparkString(url)}, header 'true', inferSchema 'true'`
      : `path ${sparkString(url)}`;
  return `CREATE OR REPLACE TEMPORARY VIEW mdq_export USING ${format} OPTIONS (${options}); SELECT * FROM mdq_export;`;
}

function sparkString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function isFileName(prefix: string): boolean {
  return /\.(parquet|csv)$/i.test(prefix);
}
