import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ModelDataCollector, type ModelDataCollectorOptions } from '../../src/collect/index.js';
import { parseSpoolFile } from '../../src/collect/spool.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { storedRecords } from '../helpers/stored-records.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { FaultyStore, startResponseDroppingProxy } from './collect-once-faults.js';

/**
 * A block Azure committed but whose response never came back must not be stored twice: not by
 * AppendWriter's retry, not by the SDK's own retry, not by a replay of the spool.
 */

const CALLS = 60;
const ROWS_PER_CALL = 10;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const collectorOptions = {
  service: 'svc',
  identifier: 'inputs',
  flushIntervalMs: 20,
  // Small batches: many appends, so many chances to fail.
  maxBatchRows: 30,
} satisfies ModelDataCollectorOptions;

async function collectAll(collector: ModelDataCollector): Promise<void> {
  for (let call = 0; call < CALLS; call++) {
    collector.collect(
      Array.from({ length: ROWS_PER_CALL }, (_, row) => ({ call, row, text: `c${call}r${row}` })),
    );
    if (call % 5 === 4) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Rows in file order across every blob, as `call/row`. */
async function storedRows(store: BlobStore): Promise<string[]> {
  return (await storedRecords(store)).map((record) => `${record.call}/${record.row}`);
}

/** Every row once, and in collect() order: one writer, one batch in flight at a time. */
function expectExactlyOnceInOrder(keys: string[]): void {
  const expected: string[] = [];
  for (let call = 0; call < CALLS; call++) {
    for (let row = 0; row < ROWS_PER_CALL; row++) {
      expected.push(`${call}/${row}`);
    }
  }
  expect(keys).toEqual(expected);
}

/**
 * After an outage, a batch replayed from the spool may land after batches collected later: the
 * contract is every row once, each call's rows together and in order (what `_row` relies on),
 * not a global order across calls.
 */
function expectExactlyOncePerCall(keys: string[]): void {
  expect([...keys].sort()).toEqual(
    Array.from({ length: CALLS }, (_, call) =>
      Array.from({ length: ROWS_PER_CALL }, (_, row) => `${call}/${row}`),
    )
      .flat()
      .sort(),
  );
  for (let start = 0; start < keys.length; start += ROWS_PER_CALL) {
    const call = keys[start]?.split('/')[0];
    const expected = Array.from({ length: ROWS_PER_CALL }, (_, row) => `${call}/${row}`);
    expect(keys.slice(start, start + ROWS_PER_CALL)).toEqual(expected);
  }
}

test('an append that lands and then fails (lost response) is not sent again', async () => {
  const tmp = await makeTmpDir();
  try {
    const container = await azurite.createContainer('lost');
    const azure = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    // Every other append (the header's is not one: that is createAppendable) loses its response.
    const store = new FaultyStore(azure, (n) => n % 2 === 0);
    const errors: string[] = [];
    const collector = new ModelDataCollector('model', {
      ...collectorOptions,
      store,
      spoolDir: join(tmp.path, 'spool'),
      onError: (error) => errors.push(error.message),
    });
    await collectAll(collector);
    await collector.close();
    expect(store.lost).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    expect(collector.stats()).toMatchObject({
      written: CALLS * ROWS_PER_CALL,
      spooled: 0,
      dropped: 0,
    });
    expectExactlyOnceInOrder(await storedRows(azure));
  } finally {
    await tmp.cleanup();
  }
});

test('a real connection closed after Azurite committed: the SDK retry does not store twice', async () => {
  const tmp = await makeTmpDir();
  // Every third append block request: committed by Azurite, response never delivered.
  const proxy = await startResponseDroppingProxy(azurite.port, (n) => n % 3 === 1);
  try {
    const container = await azurite.createContainer('proxy');
    const errors: string[] = [];
    const collector = new ModelDataCollector('model', {
      ...collectorOptions,
      connectionString: azurite.connectionString.replace(`:${azurite.port}/`, `:${proxy.port}/`),
      container,
      spoolDir: join(tmp.path, 'spool'),
      onError: (error) => errors.push(error.message),
    });
    await collectAll(collector);
    await collector.close();
    expect(proxy.dropped()).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    expect(collector.stats()).toMatchObject({ written: CALLS * ROWS_PER_CALL, dropped: 0 });
    const direct = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    expectExactlyOnceInOrder(await storedRows(direct));
  } finally {
    await proxy.close();
    await tmp.cleanup();
  }
});

test('lost response, then an outage: the spooled batch carries its range and replays once', async () => {
  const tmp = await makeTmpDir();
  try {
    const container = await azurite.createContainer('outage');
    const azure = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    const store = new FaultyStore(azure, (n) => n === 2);
    // Storage goes away right after the third append landed: its outcome cannot be read back.
    store.afterAppend = (n) => {
      if (n === 2) {
        store.down = true;
      }
    };
    const spoolDir = join(tmp.path, 'spool');
    const collector = new ModelDataCollector('model', {
      ...collectorOptions,
      store,
      spoolDir,
    });
    await collectAll(collector);
    await collector.flush();

    const records = [];
    for (const name of (await readdir(spoolDir)).filter((n) => n.endsWith('.batch'))) {
      records.push(parseSpoolFile(await readFile(join(spoolDir, name), 'utf8')));
    }
    const inDoubt = records.filter((record) => record?.meta.inDoubt !== undefined);
    expect(inDoubt).toHaveLength(1);
    const doubt = inDoubt[0]?.meta.inDoubt;
    // The range holds exactly the bytes the record starts with: they landed before the outage.
    const landed = await azure.readBuffer(doubt?.blob ?? '', {
      offset: doubt?.offset ?? 0,
      length: doubt?.length ?? 0,
    });
    expect(landed.toString('utf8')).toBe(inDoubt[0]?.payload.slice(0, landed.length));

    store.down = false;
    await collector.close();
    expect(collector.stats()).toMatchObject({ dropped: 0, queuedRows: 0 });
    expect((await readdir(spoolDir)).filter((n) => n.endsWith('.batch'))).toEqual([]);
    expectExactlyOncePerCall(await storedRows(azure));
  } finally {
    await tmp.cleanup();
  }
});
