import { expect, test } from 'vitest';
import type { StagedFile } from '../../src/query/pull/stage.js';
import { StagedQueue } from '../../src/query/pull/staged-queue.js';

/** The queue reads only a staged file's size; everything else is irrelevant to it. */
function staged(size: number, name = `b${size}`): StagedFile {
  return {
    planned: { blob: { name, size } },
    format: 'csv',
    columns: [],
    rows: 0,
    ragged: false,
  } as unknown as StagedFile;
}

/** Resolves to 'pending' when the promise has not settled after the microtasks run out. */
async function state<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))]);
}

test('take waits for a full batch (by count or by bytes), not for the first file', async () => {
  const queue = new StagedQueue(1000);
  const taking = queue.take({ maxBlobs: 3, maxBytes: 100 });
  queue.push(staged(10, 'a'));
  queue.push(staged(10, 'b'));
  expect(await state(taking)).toBe('pending');
  queue.push(staged(10, 'c'));
  const byCount = await taking;
  expect(byCount?.map((s) => s.planned.blob.name)).toEqual(['a', 'b', 'c']);

  queue.push(staged(60, 'd'));
  const bySize = queue.take({ maxBlobs: 3, maxBytes: 100 });
  expect(await state(bySize)).toBe('pending');
  queue.push(staged(60, 'e'));
  // 120 bytes queued: a batch is ready; it holds only what fits in maxBytes.
  expect((await bySize)?.map((s) => s.planned.blob.name)).toEqual(['d']);
});

test('a partial batch is taken once no more files will come, then undefined', async () => {
  const queue = new StagedQueue(1000);
  queue.push(staged(10, 'a'));
  const taking = queue.take({ maxBlobs: 5, maxBytes: 100 });
  expect(await state(taking)).toBe('pending');
  queue.close();
  expect((await taking)?.map((s) => s.planned.blob.name)).toEqual(['a']);
  expect(await queue.take({ maxBlobs: 5, maxBytes: 100 })).toBeUndefined();
});

test('when downloads are paused for room, the loader takes what is queued (no deadlock)', async () => {
  const queue = new StagedQueue(50);
  queue.push(staged(30, 'a'));
  queue.push(staged(30, 'b'));
  // 60 pending bytes >= 50: downloads wait, so the loader must not wait for 100 bytes.
  const room = queue.waitForRoom();
  expect(await state(room)).toBe('pending');
  const batch = await queue.take({ maxBlobs: 10, maxBytes: 100 });
  expect(batch?.map((s) => s.planned.blob.name)).toEqual(['a', 'b']);
  // Taken but not yet loaded: still pending, downloads still wait.
  expect(await state(room)).toBe('pending');
  queue.release(batch ?? []);
  await expect(room).resolves.toBeUndefined();
});

test('a failure wakes both sides: the loader gets the error, waiting downloads resume', async () => {
  const queue = new StagedQueue(10);
  queue.push(staged(20, 'a'));
  const room = queue.waitForRoom();
  const taking = queue.take({ maxBlobs: 1, maxBytes: 100 });
  await taking;
  const next = queue.take({ maxBlobs: 1, maxBytes: 100 });
  queue.fail(new Error('download failed: a'));
  await expect(next).rejects.toThrow('download failed: a');
  await expect(room).resolves.toBeUndefined();
});

test('with maxInMemoryBytes, a batch is also ready once that many in-memory bytes wait', async () => {
  const inMemory = (size: number, name: string) => ({ ...staged(size, name), chunks: [] });
  const queue = new StagedQueue(1000);
  const limits = { maxBlobs: 10, maxBytes: 100, maxInMemoryBytes: 30 };
  const taking = queue.take(limits);
  // Bytes staged to files do not count towards it.
  queue.push(staged(40, 'file'));
  queue.push(inMemory(20, 'm1'));
  expect(await state(taking)).toBe('pending');
  queue.push(inMemory(10, 'm2'));
  expect((await taking)?.map((s) => s.planned.blob.name)).toEqual(['file', 'm1', 'm2']);
  // The bytes taken no longer count: 20 in-memory bytes are not enough.
  queue.push(inMemory(20, 'm3'));
  const next = queue.take(limits);
  expect(await state(next)).toBe('pending');
  queue.close();
  expect((await next)?.map((s) => s.planned.blob.name)).toEqual(['m3']);
});
