/**
 * Shared by the replay crash tests and their child process: where the rows go, the collector's
 * stream options, a spool filled while storage is down, and what storage holds afterwards.
 */
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { storedRecords } from '../helpers/stored-records.js';
import { FaultyStore } from './collect-once-faults.js';

export type ReplayDestination =
  | { kind: 'azure'; connectionString: string; container: string }
  | { kind: 'local'; folder: string };

export function replayStore(destination: ReplayDestination): BlobStore {
  return destination.kind === 'azure'
    ? AzureBlobStore.fromConnectionString(destination.connectionString, destination.container)
    : new LocalBlobStore(destination.folder);
}

/** Small batches, so the spool holds many files and a replay takes many appends. */
export const streamOptions = {
  service: 'svc',
  identifier: 'inputs',
  flushIntervalMs: 50,
  maxBatchRows: 5,
} as const;

/** Row `row` of call `call`: every third one with a quote, a comma and a line break. */
export function replayRow(call: number, row: number) {
  return { call, row, text: row % 3 === 0 ? `q"uote, comma\nline ${call}` : `t${row}` };
}

/** Calls a live writer numbers from here, so its rows never share a key with spooled ones. */
export const LIVE_FIRST_CALL = 1_000_000;

/**
 * Collects `calls` × `rowsPerCall` rows in this process while storage cannot take them
 * (`down`: simulated by the store wrapper; otherwise the caller made storage unreachable), and
 * closes the collector: every row is then in the spool. Returns the collector's stats.
 */
export async function fillSpool(options: {
  destination: ReplayDestination;
  spoolDir: string;
  calls: number;
  rowsPerCall: number;
  down: boolean;
}): Promise<ReturnType<ModelDataCollector['stats']>> {
  const store = new FaultyStore(replayStore(options.destination));
  store.down = options.down;
  const collector = new ModelDataCollector('model', {
    ...streamOptions,
    store,
    spoolDir: options.spoolDir,
    env: {},
  });
  for (let call = 0; call < options.calls; call++) {
    collector.collect(
      Array.from({ length: options.rowsPerCall }, (_, row) => replayRow(call, row)),
    );
    if (call % 20 === 19) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await collector.close();
  return collector.stats();
}

/** `call/row` of every row in storage, sorted (duplicates kept, so a test can count them). */
export async function storedRowKeys(store: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for (const record of await storedRecords(store)) {
    const { text } = replayRow(Number(record.call), Number(record.row));
    // A torn or mixed-up row would not read back as it was written.
    if (record.text !== text) {
      throw new Error(`row ${record.call}/${record.row} came back as ${record.text}`);
    }
    keys.push(`${record.call}/${record.row}`);
  }
  return keys.sort();
}

export function expectedRowKeys(calls: number, rowsPerCall: number, firstCall = 0): string[] {
  const keys: string[] = [];
  for (let call = firstCall; call < firstCall + calls; call++) {
    for (let row = 0; row < rowsPerCall; row++) {
      keys.push(`${call}/${row}`);
    }
  }
  return keys.sort();
}

/** How many keys occur more than once, and how many expected ones are missing. */
export function duplicatesAndMissing(
  stored: readonly string[],
  expected: readonly string[],
): { duplicates: number; missing: number } {
  const counts = new Map<string, number>();
  for (const key of stored) {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const count of counts.values()) {
    duplicates += count - 1;
  }
  const missing = expected.filter((key) => !counts.has(key)).length;
  return { duplicates, missing };
}
