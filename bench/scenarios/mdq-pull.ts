import { openDatabase } from '../../src/query/database.js';
import { type PullResult, pull } from '../../src/query/pull/index.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { type Archive, BENCH_SERVICE } from '../archive.js';

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
 * The library call `mdq pull` makes, over the archive's whole date range through `store` (the
 * listing bench wraps it to count calls). Timed pulls run the built CLI instead (mdq-cli.ts).
 */
export function pullThrough(
  target: PullTarget,
  dbPath: string,
  store: BlobStore,
): Promise<PullResult> {
  return pull({
    store,
    source: store.description,
    dbPath,
    service: BENCH_SERVICE,
    from: target.archive.from,
    to: target.archive.to,
  });
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
