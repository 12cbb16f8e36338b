import { openDatabase } from '../../src/query/database.js';
import { type PullResult, pull } from '../../src/query/pull/index.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { type Archive, BENCH_SERVICE } from '../archive.js';
import { secondsSince, timed } from '../stats.js';

export interface PullTarget {
  connectionString: string;
  archive: Archive;
}

/** The store exactly as `mdq pull --source az://<container>` resolves it from the environment. */
export async function storeFor(target: PullTarget): Promise<BlobStore> {
  const resolved = await resolveStore(`az://${target.archive.container}`, {
    env: { AZURE_STORAGE_CONNECTION_STRING: target.connectionString },
    cwd: process.cwd(),
  });
  return resolved.store;
}

/**
 * One `mdq pull` of the archive's whole date range through the library function the CLI calls
 * (src/query/pull `pull()`, default concurrency and batches), timed until it returns: the rows
 * are committed and the views exist, i.e. queryable.
 */
export async function runMdqPull(
  target: PullTarget,
  dbPath: string,
  store?: BlobStore,
): Promise<{ seconds: number; result: PullResult; listingSeconds: number }> {
  const resolved = store ?? (await storeFor(target));
  const start = process.hrtime.bigint();
  let listingSeconds = Number.NaN;
  const { value, seconds } = await timed(() =>
    pull({
      store: resolved,
      source: resolved.description,
      dbPath,
      service: BENCH_SERVICE,
      from: target.archive.from,
      to: target.archive.to,
      // Only to split the time: when listing ends, downloading starts.
      onProgress: (progress) => {
        if (progress.phase !== 'listing' && Number.isNaN(listingSeconds)) {
          listingSeconds = secondsSince(start);
        }
      },
    }),
  );
  return { seconds, result: value, listingSeconds };
}

/** Row counts of the pulled tables, to prove a timed pull loaded everything. */
export async function countPulledRows(dbPath: string): Promise<Record<string, number>> {
  const db = await openDatabase(dbPath, { mustExist: true });
  try {
    const reader = await db.connection.runAndReadAll(
      'select (select count(*) from inputs) as inputs, (select count(*) from predictions) as predictions',
    );
    const row = reader.getRowObjects()[0] ?? {};
    return { inputs: Number(row.inputs), predictions: Number(row.predictions) };
  } finally {
    db.close();
  }
}
