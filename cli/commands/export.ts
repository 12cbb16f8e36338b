import { resolve } from 'node:path';
import { DEFAULT_CONCURRENCY } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { openDatabase } from '../../src/query/database.js';
import {
  type ExportFormat,
  type ExportSource,
  exportToPath,
  exportToStore,
  sparkReadStatement,
} from '../../src/query/export.js';
import { checkQuery } from '../../src/query/run.js';
import type { AzureBlobStore } from '../../src/store/azure-store.js';
import { PrefixedBlobStore } from '../../src/store/prefixed-store.js';
import { type ResolvedStore, resolveStore } from '../../src/store/resolve-store.js';
import type { Command } from './command.js';
import { databasePath } from './sql.js';

const REMOTE = /^(az|https?):\/\//i;

export const exportCommand: Command = {
  name: 'export',
  usage: 'export',
  describe: 'Write scored (or a table/query) to Parquet or CSV, locally or to blob storage',
  builder: (yargs) =>
    yargs
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'file.parquet|file.csv, a folder with --partition-by, or az://container/prefix',
      })
      .option('table', { type: 'string', describe: 'Table or view to export (default scored)' })
      .option('query', { type: 'string', describe: 'SQL whose result is exported' })
      .option('format', { type: 'string', choices: ['parquet', 'csv'] as const })
      .option('partition-by', {
        type: 'string',
        describe: 'Hive-partition by columns, e.g. _date,_identifier',
      })
      .option('overwrite', {
        type: 'boolean',
        describe:
          'Replace an earlier mdq export at --out (only what it wrote; default: an existing --out is an error)',
      })
      .option('db', { type: 'string', describe: 'DuckDB file (MDQ_DB, default ./mdq.duckdb)' })
      .option('connection-string', { type: 'string', describe: 'Azure Storage connection string' })
      .option('concurrency', {
        type: 'number',
        describe: `Parallel uploads (MDQ_CONCURRENCY, default ${DEFAULT_CONCURRENCY})`,
      })
      .conflicts('table', 'query')
      .example('$0 export --out scored.parquet', 'inputs joined to predictions, one Parquet file')
      .example(
        '$0 export --out scored --partition-by _date,_identifier',
        'hive folders (key=value/) for Spark, Synapse, Databricks',
      )
      .example(
        '$0 export --query "select * from inputs where _date >= \'2024-01-01\'" --out jan.csv',
        'any query, as CSV',
      )
      .example('$0 export --out scored.parquet --overwrite', 'replace an earlier export')
      .example(
        '$0 export --out az://exports/irisapp --partition-by _date',
        'upload to blob storage; prints the Spark SQL that reads it',
      ),
  async run(args, context) {
    const out = args.out as string;
    const partitionBy = String(args.partitionBy ?? '')
      .split(',')
      .map((column) => column.trim())
      .filter((column) => column !== '');
    const format = formatOf(args.format as string | undefined, out, partitionBy.length > 0);
    const source: ExportSource =
      typeof args.query === 'string'
        ? { query: args.query }
        : { table: (args.table as string | undefined) ?? 'scored' };
    const options = {
      source,
      format,
      partitionBy,
      overwrite: args.overwrite === true,
      out,
      signal: context.signal,
    };
    const database = databasePath(args, context);
    const db = await openDatabase(database, { mustExist: true });
    try {
      if ('query' in source) {
        // A bad --query fails here, with the caret under its fault and no COPY around it.
        await checkQuery(db.connection, source.query);
      }
      if (!REMOTE.test(out)) {
        const result = await exportToPath(db.connection, resolve(context.cwd, out), {
          ...options,
          protect: { database, cwd: context.cwd },
        });
        context.stderr.write(
          `exported ${result.rows} rows to ${result.path}${result.files.length > 0 ? ` (${result.files.length} files)` : ''}\n`,
        );
        if (result.leftover !== undefined) {
          context.stderr.write(
            `mdq: the earlier export was kept in ${result.leftover}: something mdq did not write appeared in it\n`,
          );
        }
        return 0;
      }
      const target = splitFileTarget(out);
      const resolved = await resolveStore(target.folder, {
        env: context.env,
        cwd: context.cwd,
        ...(typeof args.connectionString === 'string'
          ? { connectionString: args.connectionString }
          : {}),
      });
      const result = await exportToStore(db.connection, {
        ...options,
        out: out.split('?', 1)[0] ?? '', // a SAS in the URL is never printed
        store: resolved.store,
        prefix: partitionBy.length > 0 ? '' : target.fileName,
        concurrency: concurrencyOf(args.concurrency, context.env.MDQ_CONCURRENCY),
      });
      context.stderr.write(
        `exported ${result.rows} rows to ${result.blobs.length} blobs in ${resolved.store.description}\n`,
      );
      const location = sparkLocation(resolved, partitionBy.length > 0 ? '' : target.fileName);
      if (location) {
        context.stderr.write(
          `read it with Spark SQL:\n  ${sparkReadStatement(location, format)}\n`,
        );
      }
      return 0;
    } finally {
      db.close();
    }
  },
};

function formatOf(
  requested: string | undefined,
  out: string,
  isPartitioned: boolean,
): ExportFormat {
  if (requested === 'parquet' || requested === 'csv') {
    return requested;
  }
  const extension = /\.(parquet|csv)(?:\?.*)?$/i.exec(out)?.[1]?.toLowerCase();
  if (extension === 'parquet' || extension === 'csv') {
    return extension;
  }
  if (isPartitioned || REMOTE.test(out)) {
    return 'parquet'; // a folder of files: Parquet unless asked otherwise
  }
  if (/[\\/]$/.test(out)) {
    throw new UsageError(`--out ${out} is a folder: a folder needs --partition-by`, {
      hint: 'add --partition-by _date (or other columns), or name a file: --out scored.parquet',
    });
  }
  throw new UsageError(`cannot tell the format of --out ${out}`, {
    hint: 'end it in .parquet or .csv, or pass --format parquet|csv',
  });
}

/** `az://c/x/merged.parquet` → folder `az://c/x`, blob `merged.parquet`; folders stay whole. */
function splitFileTarget(out: string): { folder: string; fileName: string } {
  const [path = '', query] = out.split('?', 2);
  const match = /^(.*)\/([^/]+\.(?:parquet|csv))$/i.exec(path);
  if (!match) {
    return { folder: out, fileName: '' };
  }
  const folder = `${match[1]}${query === undefined ? '' : `?${query}`}`;
  return { folder, fileName: match[2] ?? '' };
}

/** An Azure Storage account's blob endpoint: the account Spark reaches as `<account>.dfs…`. */
const AZURE_BLOB_HOST = /^([a-z0-9]+)\.blob\.core\.windows\.net$/i;

/**
 * Where Spark finds the export, for the `abfss://` statement: only in a real Azure Storage
 * account (Azurite's `127.0.0.1:port/devstoreaccount1` has no `dfs` endpoint to read from).
 */
export function sparkLocation(resolved: ResolvedStore, fileName: string) {
  if (resolved.kind !== 'azure') {
    return undefined;
  }
  const { store, prefix } = resolved;
  // resolveStore builds an AzureBlobStore for every Azure source, prefixed when it has a folder.
  const azure = (store instanceof PrefixedBlobStore ? store.inner : store) as AzureBlobStore;
  const account = AZURE_BLOB_HOST.exec(new URL(azure.accountUrl).hostname)?.[1];
  if (account === undefined) {
    return undefined;
  }
  return { account, container: azure.containerName, path: `${prefix}${fileName}` };
}

function concurrencyOf(flag: unknown, env: string | undefined): number {
  const value =
    typeof flag === 'number' ? flag : env === undefined ? DEFAULT_CONCURRENCY : Number(env);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--concurrency must be a whole number ≥ 1, got ${String(flag ?? env)}`);
  }
  return value;
}
