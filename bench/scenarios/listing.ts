import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingStore } from '../../test/helpers/counting-store.js';
import { type Archive, generateArchive } from '../archive.js';
import type { BenchAzurite } from '../azurite.js';
import { pullThrough, storeFor } from './mdq-pull.js';

export interface ListingResult {
  shortDays: number;
  longDays: number;
  /** List calls for pulling the last day of each archive. */
  shortCalls: number;
  longCalls: number;
}

/**
 * Listing cost: pull the last day of a `longDays` archive and of a `shortDays` archive through a
 * counting store; each store list() call is one list request here (every listing of a day or a
 * stream level fits in one 5,000-entry page).
 */
export async function measureListing(
  azurite: BenchAzurite,
  shortDays: number,
  longDays: number,
): Promise<ListingResult> {
  const work = await mkdtemp(join(tmpdir(), 'mdq-bench-list-'));
  try {
    const shortCalls = await lastDayListCalls(azurite, shortDays, join(work, 'short.duckdb'));
    const longCalls = await lastDayListCalls(azurite, longDays, join(work, 'long.duckdb'));
    return { shortDays, longDays, shortCalls, longCalls };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function lastDayListCalls(azurite: BenchAzurite, days: number, dbPath: string) {
  const container = await azurite.container('list');
  try {
    const archive = await generateArchive(container, {
      days,
      blobsPerDay: 1,
      blobBytes: 200,
      rowsPerRequest: 1,
    });
    const oneDay: Archive = { ...archive, from: archive.to };
    const target = { connectionString: azurite.connectionString, archive: oneDay };
    const store = new CountingStore(await storeFor(target));
    const result = await pullThrough(target, dbPath, store);
    if (result.blobsLoaded !== 2) {
      throw new Error(`listing pull loaded ${result.blobsLoaded} blobs, expected 2`);
    }
    return store.listCalls.length;
  } finally {
    await container.delete().catch(() => undefined);
  }
}
