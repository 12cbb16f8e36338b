import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { storedRecords } from '../helpers/stored-records.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { FaultyStore } from './collect-once-faults.js';

/**
 * Collectors sharing a spool folder replay each other's batches. Each one's `written` counts its
 * own rows only (never more than it collected), whoever replayed them; `replayed` counts what a
 * collector replayed, whoever had spooled it.
 */

test('two collectors of one process, one spool: stats count each one its own rows', async () => {
  const tmp = await makeTmpDir();
  try {
    const store = new FaultyStore(new LocalBlobStore(join(tmp.path, 'modeldata')));
    const common = {
      store,
      service: 'svc',
      spoolDir: join(tmp.path, 'spool'),
      flushIntervalMs: 10,
      maxBatchRows: 10,
      env: {},
    };
    const inputs = new ModelDataCollector('model', { ...common, identifier: 'inputs' });
    const predictions = new ModelDataCollector('model', { ...common, identifier: 'prediction' });
    store.down = true;
    for (let call = 0; call < 50; call++) {
      inputs.collect([
        { call, row: 0 },
        { call, row: 1 },
      ]);
      if (call < 30) {
        predictions.collect([
          { call, row: 0 },
          { call, row: 1 },
          { call, row: 2 },
        ]);
      }
    }
    await Promise.all([inputs.flush(), predictions.flush()]);
    expect(inputs.stats()).toMatchObject({ written: 0, spooled: 100 });
    expect(predictions.stats()).toMatchObject({ written: 0, spooled: 90 });

    store.down = false;
    // inputs closes first: its replay sends the whole spool, predictions' batches too.
    await inputs.close();
    await predictions.close();
    const [a, b] = [inputs.stats(), predictions.stats()];
    expect(a).toMatchObject({ collected: 100, written: 100, dropped: 0 });
    expect(b).toMatchObject({ collected: 90, written: 90, dropped: 0 });
    expect(a.replayed + b.replayed).toBe(190);
    expect(a.replayed).toBeGreaterThan(100);
    expect(await storedRecords(store.inner)).toHaveLength(190);
  } finally {
    await tmp.cleanup();
  }
});
