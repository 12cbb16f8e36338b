import { writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import {
  currentCorrelation,
  ModelDataCollector,
  runWithCorrelation,
} from '../../src/collect/index.js';
import type { MdqError } from '../../src/errors.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { makeTmpDir } from '../helpers/tmp.js';

const T = Date.UTC(2024, 0, 15, 10, 0, 0, 0);
const FOLDER = 'unknown/unknown/unknown/svc/unknown-model-unknown';

async function rowsOf(root: string, name: string): Promise<Record<string, string>[]> {
  return parse(await new LocalBlobStore(root).readBuffer(name), { columns: true }) as Record<
    string,
    string
  >[];
}

test('runWithCorrelation: collectors inside one request share its id, across awaits', async () => {
  const tmp = await makeTmpDir();
  try {
    const options = {
      folder: tmp.path,
      spoolDir: `${tmp.path}/.spool`,
      service: 'svc',
      clock: () => T,
    };
    const inputs = new ModelDataCollector('model', { ...options, identifier: 'inputs' });
    const preds = new ModelDataCollector('model', { ...options, identifier: 'prediction' });
    await runWithCorrelation(async () => {
      expect(currentCorrelation()?.correlationId).toBe('req-1');
      inputs.collect([{ f: 1 }, { f: 2 }]);
      await new Promise((resolve) => setImmediate(resolve));
      preds.collect([10, 20]);
    }, 'req-1');
    await runWithCorrelation(async () => {
      inputs.collect([{ f: 3 }]);
      await Promise.resolve();
      preds.collect([30]);
    });
    expect(currentCorrelation()).toBeUndefined();
    await Promise.all([inputs.close(), preds.close()]);

    const inputRows = await rowsOf(tmp.path, `${FOLDER}/inputs/2024/01/15/data.csv`);
    const predRows = await rowsOf(tmp.path, `${FOLDER}/prediction/2024/01/15/data.csv`);
    expect(inputRows.map((r) => [r.$CorrelationId, r.$RequestId, r.f])).toEqual([
      ['req-1', 'req-1', '1'],
      ['req-1', 'req-1', '2'],
      ['', inputRows[2]?.$RequestId, '3'],
    ]);
    expect(inputRows[2]?.$RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(predRows.map((r) => [r.$RequestId, r.prediction])).toEqual([
      ['req-1', '10'],
      ['req-1', '20'],
      [inputRows[2]?.$RequestId, '30'],
    ]);
  } finally {
    await tmp.cleanup();
  }
});

test('collect() never throws: bad input is reported through onError and counted', async () => {
  const tmp = await makeTmpDir();
  try {
    const errors: MdqError[] = [];
    const collector = new ModelDataCollector('model', {
      format: 'v2',
      folder: tmp.path,
      spoolDir: `${tmp.path}/.spool`,
      onError: (error) => {
        errors.push(error);
        throw new Error('a host callback that throws must not matter either');
      },
    });
    const ctx = collector.collect(null);
    expect(ctx.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    collector.collect([{ big: 10n }]); // BigInt has no JSON form
    collector.collect([{ a: 1 }, 'not a row']);
    collector.collect([{ fine: true }]);
    await collector.close();
    expect(errors).toHaveLength(3);
    expect(collector.stats()).toMatchObject({ collected: 1, rejected: 3, written: 1, dropped: 0 });
  } finally {
    await tmp.cleanup();
  }
});

test('close() is idempotent and removes the exit hooks; signal hooks only when opted in', async () => {
  const tmp = await makeTmpDir();
  try {
    const before = {
      exit: process.listenerCount('exit'),
      beforeExit: process.listenerCount('beforeExit'),
      sigterm: process.listenerCount('SIGTERM'),
    };
    const options = { folder: tmp.path, spoolDir: `${tmp.path}/.spool` };
    const plain = new ModelDataCollector('model', options);
    const second = new ModelDataCollector('model', options);
    expect(process.listenerCount('exit')).toBe(before.exit + 1);
    expect(process.listenerCount('SIGTERM')).toBe(before.sigterm);
    const withSignals = new ModelDataCollector('model', { ...options, handleSignals: true });
    expect(process.listenerCount('SIGTERM')).toBe(before.sigterm + 1);
    expect(process.listenerCount('exit')).toBe(before.exit + 1);

    await withSignals.close();
    expect(process.listenerCount('SIGTERM')).toBe(before.sigterm);
    const closing = plain.close();
    expect(plain.close()).toBe(closing);
    await closing;
    await second.close();
    expect(plain.stats().state).toBe('closed');
    expect(process.listenerCount('exit')).toBe(before.exit);
    expect(process.listenerCount('beforeExit')).toBe(before.beforeExit);

    const drops: number[] = [];
    const late = new ModelDataCollector('model', { ...options, onDrop: (e) => drops.push(e.rows) });
    await late.close();
    late.collect([{ a: 1 }, { a: 2 }]);
    expect(late.stats().dropped).toBe(2);
    expect(drops).toEqual([2]);
  } finally {
    await tmp.cleanup();
  }
});

test('storage failing and spool quota exhausted: rows dropped, counted, reported; memory bounded', async () => {
  const tmp = await makeTmpDir();
  try {
    // A file where the data folder should be: every write fails, for real.
    await writeFile(`${tmp.path}/blocked`, 'not a folder');
    const drops: { rows: number; reason: string }[] = [];
    const errors: string[] = [];
    const collector = new ModelDataCollector('model', {
      folder: `${tmp.path}/blocked`,
      spoolDir: `${tmp.path}/.spool`,
      spoolQuotaBytes: 6_000,
      maxBatchBytes: 1_000,
      maxQueueBytes: 4_000,
      flushIntervalMs: 10,
      onDrop: (event) => drops.push(event),
      onError: (error) => errors.push(error.message),
    });
    let maxQueued = 0;
    for (let i = 0; i < 200; i++) {
      collector.collect([{ i, text: 'x'.repeat(40) }]);
      maxQueued = Math.max(maxQueued, collector.stats().queuedBytes);
    }
    await collector.close();
    const stats = collector.stats();
    expect(maxQueued).toBeLessThanOrEqual(4_000 + 100);
    expect(stats.collected).toBe(200);
    expect(stats.written).toBe(0);
    expect(stats.spooled).toBeGreaterThan(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.spooled + stats.dropped).toBe(200);
    expect(drops.every((d) => d.reason === 'spool-quota')).toBe(true);
    expect(drops.reduce((sum, d) => sum + d.rows, 0)).toBe(stats.dropped);
    expect(errors.length).toBeGreaterThan(0);
  } finally {
    await tmp.cleanup();
  }
});

test('flush() resolves only once earlier rows are stored; rows of one call stay contiguous', async () => {
  const tmp = await makeTmpDir();
  try {
    const collector = new ModelDataCollector('model', {
      folder: tmp.path,
      spoolDir: `${tmp.path}/.spool`,
      service: 'svc',
      identifier: 'inputs',
      clock: () => T,
      flushIntervalMs: 60_000,
      maxBatchRows: 7,
    });
    for (let call = 0; call < 20; call++) {
      collector.collect(Array.from({ length: 5 }, (_, row) => ({ call, row })));
    }
    await collector.flush();
    expect(collector.stats()).toMatchObject({ written: 100, queuedRows: 0 });
    const rows = await rowsOf(tmp.path, `${FOLDER}/inputs/2024/01/15/data.csv`);
    expect(rows.map((r) => `${r.call}/${r.row}`)).toEqual(
      Array.from({ length: 100 }, (_, i) => `${Math.floor(i / 5)}/${i % 5}`),
    );
    await collector.close();
  } finally {
    await tmp.cleanup();
  }
});
