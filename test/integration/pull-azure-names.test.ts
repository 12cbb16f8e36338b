import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { queryRows } from '../../src/query/run.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/**
 * Folder names a URL query must escape (issue 14.5): a space (which URLSearchParams writes as
 * `+`, so the account-key signature no longer matched), `+`, `%`, `#` and non-ASCII.
 */
const IDENTIFIERS = ['model inputs', 'a+b', '50% off', 'c#1', 'Zürich 東京'];
const NOON = Date.UTC(2024, 4, 2, 12, 0, 0);

test('names with a space, +, %, # and non-ASCII pull through an account-key connection string', async () => {
  const dir = await makeTmpDir('mdq-names-');
  try {
    const container = await azurite.createContainer('names');
    const collectors = IDENTIFIERS.map(
      (identifier) =>
        new ModelDataCollector('model', {
          identifier,
          service: 'my shop',
          connectionString: azurite.connectionString,
          container,
          clock: () => NOON,
          spoolDir: join(dir.path, 'spool'),
        }),
    );
    collectors.forEach((collector, index) => {
      collector.collect([{ n: index, text: IDENTIFIERS[index] }]);
    });
    await Promise.all(collectors.map((collector) => collector.close()));

    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    const dbPath = join(dir.path, 'mdq.duckdb');
    const result = await pull({
      store,
      source: store.description,
      dbPath,
      service: 'my shop',
      from: { year: 2024, month: 5, day: 2 },
      to: { year: 2024, month: 5, day: 2 },
    });
    expect(result.quarantined).toEqual([]);
    expect(result.blobsLoaded).toBe(IDENTIFIERS.length);

    const db = await openDatabase(dbPath, { mustExist: true });
    try {
      const { rows } = await queryRows(
        db.connection,
        'select identifier, rows::integer, status from mdq_manifest order by identifier',
      );
      expect(rows).toEqual([...IDENTIFIERS].sort().map((identifier) => [identifier, 1, 'loaded']));
    } finally {
      db.close();
    }
  } finally {
    await dir.cleanup();
  }
});
