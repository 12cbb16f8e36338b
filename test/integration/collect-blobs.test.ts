import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import { MAX_APPEND_BYTES } from '../../src/store/blob-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** Blob management on real append blobs: rollover by block count, schema change, big calls. */

const T = Date.UTC(2024, 6, 1, 8, 30, 0);
const DAY = 'unknown/unknown/unknown/svc/unknown-model-unknown/inputs/2024/07/01/';

let azurite: Azurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function setup() {
  if (azurite === undefined) {
    throw new Error('azurite did not start');
  }
  const tmp = await makeTmpDir();
  const container = await azurite.createContainer('blobs');
  return {
    tmp,
    store: AzureBlobStore.fromConnectionString(azurite.connectionString, container),
    options: {
      connectionString: azurite.connectionString,
      container,
      spoolDir: `${tmp.path}/spool`,
      service: 'svc',
      identifier: 'inputs',
      clock: () => T,
    },
  };
}

async function names(store: AzureBlobStore): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of store.list(DAY)) {
    if (entry.kind === 'blob') {
      found.push(entry.name);
    }
  }
  return found.sort();
}

test('rolls over to data-1.csv, data-2.csv before the block limit, each with its header', async () => {
  const { tmp, store, options } = await setup();
  try {
    const collector = new ModelDataCollector('model', { ...options, maxBlocksPerBlob: 3 });
    for (let i = 0; i < 5; i++) {
      collector.collect([{ i }]);
      await collector.flush(); // one append block per call
    }
    await collector.close();
    expect(await names(store)).toEqual([`${DAY}data-1.csv`, `${DAY}data-2.csv`, `${DAY}data.csv`]);
    const content = async (name: string) => (await store.readBuffer(`${DAY}${name}`)).toString();
    const line = (i: number, id: string) => `2024-07-01T08:30:00,,${id},${i}\r\n`;
    const header = '$Timestamp,$CorrelationId,$RequestId,i\r\n';
    const ids = async (name: string) =>
      (parse(await content(name), { columns: true }) as Record<string, string>[]).map(
        (r) => r.$RequestId as string,
      );
    const [a0, a1] = await ids('data.csv');
    const [b0, b1] = await ids('data-1.csv');
    const [c0] = await ids('data-2.csv');
    expect(await content('data.csv')).toBe(header + line(0, a0 ?? '') + line(1, a1 ?? ''));
    expect(await content('data-1.csv')).toBe(header + line(2, b0 ?? '') + line(3, b1 ?? ''));
    expect(await content('data-2.csv')).toBe(header + line(4, c0 ?? ''));
  } finally {
    await tmp.cleanup();
  }
});

test('a new column mid-day starts data-<8 hex of the header>.csv; old columns keep data.csv', async () => {
  const { tmp, store, options } = await setup();
  try {
    const collector = new ModelDataCollector('model', options);
    collector.collect([{ a: 1 }]);
    await collector.flush();
    collector.collect([{ a: 2, b: 'new' }]);
    await collector.flush();
    collector.collect([{ a: 3 }]);
    await collector.close();
    const newHeader = '$Timestamp,$CorrelationId,$RequestId,a,b\r\n';
    const hash = createHash('sha256').update(newHeader).digest('hex').slice(0, 8);
    expect(await names(store)).toEqual([`${DAY}data-${hash}.csv`, `${DAY}data.csv`]);
    const read = async (name: string) =>
      parse(await store.readBuffer(`${DAY}${name}`), { columns: true }) as Record<string, string>[];
    expect((await read('data.csv')).map((r) => r.a)).toEqual(['1', '3']);
    expect((await read(`data-${hash}.csv`)).map((r) => [r.a, r.b])).toEqual([['2', 'new']]);
  } finally {
    await tmp.cleanup();
  }
});

test('one call larger than an append block is split at row ends and stored whole', async () => {
  const { tmp, store, options } = await setup();
  try {
    const collector = new ModelDataCollector('model', options);
    const filler = 'y'.repeat(1000);
    const rowCount = Math.ceil((MAX_APPEND_BYTES * 1.5) / filler.length);
    collector.collect(Array.from({ length: rowCount }, (_, i) => ({ i, filler })));
    await collector.close();
    expect(collector.stats()).toMatchObject({ written: rowCount, spooled: 0, errors: 0 });
    const rows = parse(await store.readBuffer(`${DAY}data.csv`), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(rowCount);
    expect(rows.every((r, i) => r.i === String(i) && r.filler === filler)).toBe(true);
  } finally {
    await tmp.cleanup();
  }
});
