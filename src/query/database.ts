import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MdqError, QueryError } from '../errors.js';

/** The storage format of files mdq creates (see openDatabase). */
export const STORAGE_VERSION = 'v1.4.0';

export interface Database {
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Another connection to the same instance, for short side work while `connection` is busy. */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Refuse to create a missing file (sql, export, ls); pull creates it. */
  mustExist?: boolean;
  readOnly?: boolean;
  threads?: number;
  /** DuckDB's memory_limit (e.g. '160MB'); beyond it DuckDB spills to `<db>.tmp/`. */
  memoryLimit?: string;
}

/**
 * Opens the DuckDB file: one instance and one connection per process (maintainers advise
 * against more), closed by the caller in `finally`. Extension autoloading is off: mdq never
 * reaches DuckDB's extension server, and a query that needs a missing extension fails at once.
 */
export async function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  const absolute = resolve(path);
  if (options.mustExist) {
    const { existsSync } = await import('node:fs');
    if (!existsSync(absolute)) {
      throw new MdqError('db-not-found', `database ${absolute} does not exist`, {
        hint: 'run mdq pull first, or point --db (MDQ_DB) at an existing database',
      });
    }
  } else {
    await mkdir(dirname(absolute), { recursive: true });
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(absolute, {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      // New files use the storage format of DuckDB 1.4 (LTS): its string compression (DICT_FSST)
      // made a 1 GB pull's INSERTs ~24% cheaper in CPU at the same file size than the default
      // v1.0 format (bench/README.md). Such files open in DuckDB 1.4 and later only; an
      // existing file keeps the format it was created with.
      storage_compatibility_version: STORAGE_VERSION,
      ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      ...(options.threads ? { threads: String(options.threads) } : {}),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const isLocked = /lock/i.test(message);
    throw new QueryError(`cannot open database ${absolute}: ${message}`, {
      cause: error,
      hint: isLocked
        ? 'another mdq (or DuckDB) process has it open; wait for it or use another --db'
        : 'check the path, or delete the file if it is not a DuckDB database',
    });
  }
  const connection = await instance.connect();
  // Timestamps are UTC everywhere in mdq; pin the session so output never depends on the machine.
  await connection.run("SET TimeZone = 'UTC'").catch(() => undefined);
  return {
    path: absolute,
    connection,
    connect: () => instance.connect(),
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
