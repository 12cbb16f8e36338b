import { BlobServiceClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Someone deletes the container (or the day's blob) while a collector runs: the next append
 * finds it gone, and the collector creates it again (with the header) instead of spooling for
 * ever. Rows collected after the deletion arrive.
 */

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function rowsOf(call: number) {
  return Array.from({ length: 4 }, (_, row) => ({ call, row }));
}

describe.each(['container', 'blob'] as const)('the %s deleted after first use', (what) => {
  test('is created again and later rows arrive', async () => {
    const tmp = await makeTmpDir();
    try {
      const container = `gone-${what}-${Date.now()}`;
      const errors: string[] = [];
      const collector = new ModelDataCollector('model', {
        connectionString: azurite.connectionString,
        container,
        service: 'svc',
        identifier: 'inputs',
        spoolDir: `${tmp.path}/spool`,
        flushIntervalMs: 20,
        env: {},
        onError: (error) => errors.push(error.message),
      });
      for (let call = 0; call < 5; call++) {
        collector.collect(rowsOf(call));
      }
      await collector.flush();
      const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
      const names: string[] = [];
      for await (const entry of store.list('')) {
        names.push(entry.name);
      }
      expect(names).toHaveLength(1);
      const client = BlobServiceClient.fromConnectionString(azurite.connectionString);
      if (what === 'container') {
        await client.getContainerClient(container).delete();
      } else {
        await client
          .getContainerClient(container)
          .getBlobClient(names[0] as string)
          .delete();
      }

      for (let call = 5; call < 10; call++) {
        collector.collect(rowsOf(call));
        await collector.flush();
      }
      await collector.close();
      expect(collector.stats()).toMatchObject({ collected: 40, written: 40, dropped: 0 });
      const records = parse(await store.readBuffer(names[0] as string), {
        columns: true,
      }) as Record<string, string>[];
      expect(records.map((record) => `${record.call}/${record.row}`)).toEqual(
        Array.from({ length: 5 }, (_, i) => rowsOf(i + 5).map((r) => `${r.call}/${r.row}`)).flat(),
      );
    } finally {
      await tmp.cleanup();
    }
  });
});
