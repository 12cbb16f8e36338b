import { readdir } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import { AZURITE_KEY, type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Azurite stops while 50,000 rows are collected and comes back on the same port with its data:
 * every row ends up in storage exactly once, through the disk spool. The account key never shows
 * in an error or in stats.
 */

const TOTAL_ROWS = 50_000;
const ROWS_PER_CALL = 50;
const CALLS_BEFORE_OUTAGE = 100; // 5,000 rows while storage is up

test('storage outage during 50,000 rows: all of them in storage after restart', async () => {
  const tmp = await makeTmpDir();
  let azurite: Azurite | undefined;
  try {
    azurite = await startAzurite({ location: `${tmp.path}/azurite` });
    const { port, connectionString } = azurite;
    const container = await azurite.createContainer('outage');
    const errors: string[] = [];
    const drops: number[] = [];
    const collector = new ModelDataCollector('model', {
      connectionString,
      container,
      service: 'svc',
      identifier: 'inputs',
      spoolDir: `${tmp.path}/spool`,
      flushIntervalMs: 100,
      maxBatchRows: 2_000,
      // Small, so the backlog during the outage spills to disk rather than staying in memory.
      maxQueueBytes: 256 * 1024,
      onError: (error) => errors.push(`${error.code}: ${error.message} ${error.hint ?? ''}`),
      onDrop: (event) => drops.push(event.rows),
    });

    const calls = TOTAL_ROWS / ROWS_PER_CALL;
    for (let call = 0; call < calls; call++) {
      if (call === CALLS_BEFORE_OUTAGE) {
        await collector.flush();
        await azurite.stop();
      }
      collector.collect(
        Array.from({ length: ROWS_PER_CALL }, (_, row) => ({
          call,
          row,
          value: call * 1000 + row,
        })),
      );
      if (call % 25 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await collector.flush();
    const duringOutage = collector.stats();
    expect(duringOutage.spooled).toBeGreaterThan(0);
    expect(duringOutage.queuedRows).toBe(0);
    expect((await readdir(`${tmp.path}/spool`)).length).toBeGreaterThan(0);

    azurite = await startAzurite({ port, location: `${tmp.path}/azurite` });
    await collector.close();

    const stats = collector.stats();
    expect(stats).toMatchObject({
      collected: TOTAL_ROWS,
      written: TOTAL_ROWS,
      dropped: 0,
      state: 'closed',
    });
    expect(drops).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    const secretFree = JSON.stringify({ errors, stats });
    expect(secretFree).not.toContain(AZURITE_KEY);
    expect(secretFree).not.toContain(AZURITE_KEY.slice(0, 20));
    expect((await readdir(`${tmp.path}/spool`)).filter((name) => !name.startsWith('.'))).toEqual(
      [],
    );

    const store = AzureBlobStore.fromConnectionString(connectionString, container);
    const seen = new Set<string>();
    let rows = 0;
    for await (const entry of store.list('')) {
      if (entry.kind !== 'blob') {
        continue;
      }
      expect(entry.name).toMatch(
        /^unknown\/unknown\/unknown\/svc\/unknown-model-unknown\/inputs\/\d{4}\/\d{2}\/\d{2}\/data\.csv$/,
      );
      const records = parse(await store.readBuffer(entry.name), { columns: true }) as Record<
        string,
        string
      >[];
      for (const record of records) {
        rows++;
        seen.add(`${record.call}/${record.row}`);
        expect(Number(record.value)).toBe(Number(record.call) * 1000 + Number(record.row));
      }
    }
    expect(rows).toBe(TOTAL_ROWS);
    expect(seen.size).toBe(TOTAL_ROWS);
  } finally {
    await azurite?.stop();
    await tmp.cleanup();
  }
});
