import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import pLimit from 'p-limit';
import { InterruptedError, MdqError, QueryError, throwIfAborted } from '../errors.js';
import { firstLineOf } from '../secrets.js';
import type { BlobStore } from '../store/blob-store.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import { interruptOnAbort } from './run.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import { selectInValueFormat } from './value-format.js';

export type ExportFormat = 'parquet' | 'csv';

/** What to export: a table or view by name, or a query. */
export type ExportSource = { table: string } | { query: string };

export interface ExportOptions {
  source: ExportSource;
  format: ExportFormat;
  /** Hive-partition by these columns (`key=value/` folders); the output is then a folder. */
  partitionBy?: readonly string[];
  signal?: AbortSignal;
}

export interface ExportResult {
  /** Absolute path of the file, or of the folder when partitioned. */
  path: string;
  rows: number;
  /** Data files written, relative to `path` (empty for a single file). */
  files: string[];
}

/**
 * Writes a table, view or query to Parquet or CSV with DuckDB's COPY. Atomic: DuckDB writes
 * into a hidden temporary beside the target, which is renamed into place only when COPY has
 * succeeded, so a failed or interrupted export never leaves a half-written file.
 */
export async function exportToPath(
  connection: DuckDBConnection,
  out: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const target = resolve(out);
  const temporary = join(
    dirname(target),
    `.mdq-tmp-${randomBytes(6).toString('hex')}-${basename(target)}`,
  );
  const isPartitioned = (options.partitionBy?.length ?? 0) > 0;
  let rows: number;
  await mkdir(dirname(target), { recursive: true });
  try {
    rows = await copyTo(connection, temporary, options);
    throwIfAborted(options.signal);
    await replace(temporary, target, isPartitioned);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  const files = isPartitioned ? await listFiles(target) : [];
  return { path: target, rows, files };
}

export interface ExportToStoreOptions extends ExportOptions {
  store: BlobStore;
  /** Blob name of the file, or blob prefix of the folder (partitioned, or without extension). */
  prefix: string;
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
 * `data_0.<ext>` or hive partitions, which is what Spark and Synapse read as one table.
 */
export async function exportToStore(
  connection: DuckDBConnection,
  options: ExportToStoreOptions,
): Promise<ExportToStoreResult> {
  const staging = await mkdtemp(join(options.stagingDir ?? tmpdir(), 'mdq-export-'));
  try {
    const isSingleBlob = isFileName(options.prefix) && (options.partitionBy?.length ?? 0) === 0;
    const folder = options.prefix.replace(/\/+$/, '');
    const local = join(staging, isSingleBlob ? `data.${options.format}` : 'out');
    const result = isSingleBlob
      ? await exportToPath(connection, local, options)
      : await exportFolder(connection, local, options);
    const uploads = isSingleBlob
      ? [{ file: result.path, blob: folder }]
      : result.files.map((file) => ({
          file: join(result.path, file),
          blob: `${folder === '' ? '' : `${folder}/`}${file.split(sep).join('/')}`,
        }));
    const limit = pLimit(Math.max(1, options.concurrency));
    let uploaded = 0;
    await Promise.all(
      uploads.map(({ file, blob }) =>
        limit(async () => {
          throwIfAborted(options.signal);
          await options.store.put(blob, createReadStream(file), withSignal(options.signal));
          uploaded += 1;
          options.onProgress?.({ uploaded, total: uploads.length });
        }),
      ),
    );
    return { rows: result.rows, blobs: uploads.map((upload) => upload.blob) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** An unpartitioned export that must still be a folder (blob prefix): one `data_0.<ext>`. */
async function exportFolder(
  connection: DuckDBConnection,
  folder: string,
  options: ExportOptions,
): Promise<ExportResult> {
  if ((options.partitionBy?.length ?? 0) > 0) {
    return exportToPath(connection, folder, options);
  }
  const file = await exportToPath(connection, join(folder, `data_0.${options.format}`), options);
  return { path: folder, rows: file.rows, files: [`data_0.${options.format}`] };
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

async function copyTo(
  connection: DuckDBConnection,
  path: string,
  options: ExportOptions,
): Promise<number> {
  const copyOptions = [`FORMAT ${options.format === 'parquet' ? 'parquet' : 'csv'}`];
  if (options.format === 'parquet') {
    // Snappy, not zstd: every Parquet reader decodes it (Spark's default; hyparquet's only built-in codec).
    copyOptions.push('COMPRESSION snappy');
  } else {
    copyOptions.push('HEADER true');
  }
  if (options.partitionBy && options.partitionBy.length > 0) {
    copyOptions.push(`PARTITION_BY (${options.partitionBy.map(quoteIdentifier).join(', ')})`);
  }
  // CSV is text: values in mdq's one value format, as `mdq sql` writes them (value-format.ts).
  const select =
    options.format === 'csv'
      ? await selectInValueFormat(connection, selectOf(options.source), 'csv')
      : selectOf(options.source);
  const sql = `COPY (${select}) TO ${quoteLiteral(path)} (${copyOptions.join(', ')})`;
  const stopInterrupting = interruptOnAbort(connection, options.signal);
  try {
    throwIfAborted(options.signal);
    const result = await connection.run(sql);
    return result.rowsChanged;
  } catch (error) {
    if (error instanceof MdqError) {
      throw error;
    }
    if (options.signal?.aborted) {
      throw new InterruptedError('export interrupted');
    }
    if (isDiskFull(error)) {
      throw diskFullError(error, path, 'free space there (or export elsewhere), then export again');
    }
    throw new QueryError(`export failed: ${firstLineOf(error)}`, {
      cause: error,
      hint: 'check --table/--query and --partition-by column names (mdq sql ".tables")',
    });
  } finally {
    stopInterrupting();
  }
}

function selectOf(source: ExportSource): string {
  if ('table' in source) {
    return `SELECT * FROM ${quoteIdentifier(source.table)}`;
  }
  // COPY (…) takes exactly one query; a trailing `;` is a habit, not a second statement.
  return source.query.trim().replace(/;\s*$/, '');
}

/** Atomic replace: rename() over a file; a folder is swapped (old aside, new in, old removed). */
async function replace(temporary: string, target: string, isFolder: boolean): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (!isFolder || !existing) {
    if (existing?.isDirectory()) {
      throw new MdqError('export-target-is-folder', `${target} is a folder`, {
        hint: 'choose a file name, or --partition-by to write a partitioned folder',
      });
    }
    await rename(temporary, target);
    return;
  }
  const aside = `${temporary}-old`;
  await rename(target, aside);
  await rename(temporary, target);
  await rm(aside, { recursive: true, force: true });
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

function isFileName(prefix: string): boolean {
  return /\.(parquet|csv)$/i.test(prefix);
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
