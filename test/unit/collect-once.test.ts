import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { AppendWriter, type Batch } from '../../src/collect/append-writer.js';
import { DiskSpool } from '../../src/collect/spool.js';
import type { BlobTarget } from '../../src/collect/target.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { CountingStore } from '../helpers/counting-store.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { FaultyStore } from '../integration/collect-once-faults.js';

const target: BlobTarget = {
  folder: 'svc/2024/05/06/',
  stem: 'data',
  naming: 'csv',
  header: 'n\n',
};

function batch(...lines: string[]): Batch {
  return {
    key: 'k',
    target,
    chunks: lines.map((text) => ({ text, bytes: Buffer.byteLength(text), rows: 1 })),
  };
}

test('a single writer sends one request per append: no stat, no read', async () => {
  const tmp = await makeTmpDir();
  try {
    const store = new CountingStore(new LocalBlobStore(tmp.path));
    const writer = new AppendWriter(store);
    for (let i = 0; i < 5; i++) {
      await writer.write(batch(`${i}\n`));
    }
    expect(store.counts).toMatchObject({ createAppendable: 1, append: 5, stat: 0, read: 0 });
    expect((await store.readBuffer('svc/2024/05/06/data.csv')).toString()).toBe(
      'n\n0\n1\n2\n3\n4\n',
    );
  } finally {
    await tmp.cleanup();
  }
});

test('a writer behind another one loses the condition, then appends at the new end', async () => {
  const tmp = await makeTmpDir();
  try {
    const local = new LocalBlobStore(tmp.path);
    const first = new AppendWriter(local);
    const second = new AppendWriter(local);
    await first.write(batch('a1\n'));
    await second.write(batch('b1\n'));
    const third = new AppendWriter(local);
    await third.write(batch('x\n'));
    // `first` still believes the blob ends after a1: its condition fails, it looks again.
    await first.write(batch('a2\n'));
    await second.write(batch('b2\n'));
    expect((await local.readBuffer('svc/2024/05/06/data.csv')).toString()).toBe(
      'n\na1\nb1\nx\na2\nb2\n',
    );
  } finally {
    await tmp.cleanup();
  }
});

test('an append that landed but reported a failure is read back, not resent', async () => {
  const tmp = await makeTmpDir();
  try {
    const local = new LocalBlobStore(tmp.path);
    const counting = new CountingStore(local);
    // The first append lands, then reports a lost response.
    const flaky = new FaultyStore(counting, (n) => n === 0);
    const writer = new AppendWriter(flaky, { retries: 2 });
    const b = batch('1\n', '2\n');
    await writer.write(b);
    expect(b.chunks).toEqual([]);
    expect(b.inDoubt).toBeUndefined();
    expect(counting.counts.append).toBe(1);
    expect((await local.readBuffer('svc/2024/05/06/data.csv')).toString()).toBe('n\n1\n2\n');
  } finally {
    await tmp.cleanup();
  }
});

test('a spool record keeps the in-doubt range; a replay progress record outlives a release', async () => {
  const tmp = await makeTmpDir();
  try {
    const spool = new DiskSpool(join(tmp.path, 'spool'), 'dest', 1024 * 1024);
    const inDoubt = { blob: 'svc/2024/05/06/data.csv', offset: 2, length: 2, rows: 1 };
    expect(spool.writeSync('k', target, '1\n2\n', 2, inDoubt)).toBe(true);
    const sent = { blob: 'svc/2024/05/06/data.csv', offset: 9, length: 2, rows: 1 };
    for await (const item of spool.claim()) {
      expect(item.meta.inDoubt).toEqual(inDoubt);
      expect(item.payload).toBe('1\n2\n');
      expect(item.progress).toBeUndefined();
      await item.record({ done: 2, inDoubt: sent });
      await item.release();
    }
    const seen = [];
    for await (const item of spool.claim()) {
      seen.push({ payload: item.payload, progress: item.progress });
      await item.done();
    }
    expect(seen).toEqual([{ payload: '1\n2\n', progress: { done: 2, inDoubt: sent } }]);
    expect(await readdir(join(tmp.path, 'spool'))).toEqual([]);
  } finally {
    await tmp.cleanup();
  }
});

test('a local append pushed past its offset by another process is found there, not resent', async () => {
  const tmp = await makeTmpDir();
  try {
    const local = new LocalBlobStore(tmp.path);
    await local.createAppendable('b.csv', Buffer.from('n\n'));
    // Ours was sent with expectedOffset 2, but another process's bytes got in first (a local
    // folder checks the condition and writes in two steps): almost 8 MiB of them, so that ours
    // straddle the first window the search reads.
    await local.append('b.csv', Buffer.alloc(8 * 1024 * 1024 - 5, 'o'));
    await local.append('b.csv', Buffer.from('ours-1234\n'));
    await local.append('b.csv', Buffer.from('later\n'));
    const writer = new AppendWriter(local);
    expect(await writer.isStoredAt('b.csv', 2, Buffer.from('ours-1234\n'))).toBe(true);
    expect(await writer.isStoredAt('b.csv', 2, Buffer.from('never\n'))).toBe(false);
    // Where conditional appends land exactly or not at all (Azure, the default), the bytes at
    // the offset decide alone.
    const exact = new CountingStore(local);
    expect((exact as BlobStore).conditionalAppendLands).toBeUndefined();
    expect(await new AppendWriter(exact).isStoredAt('b.csv', 2, Buffer.from('ours-1234\n'))).toBe(
      false,
    );
  } finally {
    await tmp.cleanup();
  }
});
