import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InterruptedError, MdqError, QueryError, throwIfAborted } from '../errors.js';
import { firstLineOf } from '../secrets.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import type { ExportOptions } from './export.js';
import { interruptOnAbort } from './run.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';
import { selectInValueFormat } from './value-format.js';

/**
 * DuckDB's COPY of the export's rows to `path`: a file, or a folder of `key=value/` folders
 * when partitioned. `path` is always a fresh temporary: the callers move it into place.
 * Returns the number of rows written.
 */
export async function copyTo(
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

function selectOf(source: ExportOptions['source']): string {
  if ('table' in source) {
    return `SELECT * FROM ${quoteIdentifier(source.table)}`;
  }
  // COPY (…) takes exactly one query; a trailing `;` is a habit, not a second statement.
  return source.query.trim().replace(/;\s*$/, '');
}

/** Files under `folder`, `/`-separated and relative to it, sorted. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
