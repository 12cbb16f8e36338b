import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ContainerClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { listPage } from '../../src/store/azure-list-page.js';
import { blobUrl } from '../../src/store/azure-ranged-get.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import {
  AppendPositionError,
  type BlobStore,
  type ListEntry,
  MAX_APPEND_BYTES,
} from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

let azurite: Azurite;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  for (const cleanup of cleanups) {
    await cleanup();
  }
  await azurite?.stop();
});

interface Backend {
  name: string;
  /** A fresh, empty store (its own temp folder or its own container). */
  make(): Promise<BlobStore>;
}

const backends: Backend[] = [
  {
    name: 'LocalBlobStore',
    async make() {
      const tmp = await makeTmpDir('mdq-store-');
      cleanups.push(tmp.cleanup);
      return new LocalBlobStore(tmp.path);
    },
  },
  {
    name: 'AzureBlobStore',
    async make() {
      const container = await azurite.createContainer('contract');
      return AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    },
  },
];

async function collect(entries: AsyncIterable<ListEntry>): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of entries) {
    names.push(entry.kind === 'prefix' ? `prefix:${entry.name}` : `blob:${entry.name}`);
  }
  return names.sort();
}

async function expectStorageError(promise: Promise<unknown>, code: string): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
  return error as StorageError;
}

const text = (value: string) => Buffer.from(value, 'utf8');

describe.each(backends)('$name contract', (backend) => {
  test('lists flat and by hierarchy', async () => {
    const store = await backend.make();
    for (const name of ['a/b/1.csv', 'a/b/2.csv', 'a/c/d/3.csv', 'a/top.txt', 'z.txt']) {
      await store.put(name, text(name));
    }
    expect(await collect(store.list('a/', { delimiter: '/' }))).toEqual([
      'blob:a/top.txt',
      'prefix:a/b/',
      'prefix:a/c/',
    ]);
    expect(await collect(store.list('', { delimiter: '/' }))).toEqual(['blob:z.txt', 'prefix:a/']);
    expect(await collect(store.list('a/'))).toEqual([
      'blob:a/b/1.csv',
      'blob:a/b/2.csv',
      'blob:a/c/d/3.csv',
      'blob:a/top.txt',
    ]);
    // A prefix that is not a folder matches names that start with it.
    expect(await collect(store.list('a/b/1'))).toEqual(['blob:a/b/1.csv']);
    expect(await collect(store.list('nothing/here/'))).toEqual([]);
  });

  test('listed blobs carry size, etag and time', async () => {
    const store = await backend.make();
    await store.put('x/y.csv', text('12345'));
    const entries: ListEntry[] = [];
    for await (const entry of store.list('x/')) {
      entries.push(entry);
    }
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry?.kind).toBe('blob');
    if (entry?.kind === 'blob') {
      expect(entry.size).toBe(5);
      expect(entry.etag).not.toBe('');
      expect(entry.lastModified).toBeInstanceOf(Date);
    }
  });

  test('stat reports size and an etag that changes with the content', async () => {
    const store = await backend.make();
    expect(await store.stat('s/missing.csv')).toBeUndefined();
    await store.put('s/blob.csv', text('abc'));
    const before = await store.stat('s/blob.csv');
    expect(before).toMatchObject({ name: 's/blob.csv', size: 3 });
    await store.put('s/blob.csv', text('abcdefgh'));
    const after = await store.stat('s/blob.csv');
    expect(after?.size).toBe(8);
    expect(after?.etag).not.toBe(before?.etag);
  });

  test('reads whole, from an offset, and a byte range', async () => {
    const store = await backend.make();
    await store.put('r/digits.txt', text('0123456789'));
    expect((await store.readBuffer('r/digits.txt')).toString()).toBe('0123456789');
    expect((await store.readBuffer('r/digits.txt', { offset: 7 })).toString()).toBe('789');
    expect((await store.readBuffer('r/digits.txt', { offset: 3, length: 4 })).toString()).toBe(
      '3456',
    );
    expect((await store.readBuffer('r/digits.txt', { offset: 10 })).toString()).toBe('');
    expect((await store.readBuffer('r/digits.txt', { length: 0 })).toString()).toBe('');
    // Ranges that run past the end, or start there, read what is there.
    expect((await store.readBuffer('r/digits.txt', { offset: 8, length: 5 })).toString()).toBe(
      '89',
    );
    expect((await store.readBuffer('r/digits.txt', { offset: 10, length: 5 })).toString()).toBe('');
    // Azure answers 416 for a range that starts past the end: as with a file, nothing to read.
    expect((await store.readBuffer('r/digits.txt', { offset: 11 })).toString()).toBe('');
    expect((await store.readBuffer('r/digits.txt', { offset: 11, length: 5 })).toString()).toBe('');
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read('r/digits.txt', { offset: 2, length: 3 })) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe('234');
  });

  test('downloads to a file and reports what was written', async () => {
    const store = await backend.make();
    const tmp = await makeTmpDir();
    try {
      const content = randomBytes(300_000);
      await store.put('d/big.bin', content);
      const target = join(tmp.path, 'big.bin');
      const info = await store.download('d/big.bin', target);
      expect(await readFile(target)).toEqual(content);
      const stat = await store.stat('d/big.bin');
      expect(info).toMatchObject({ name: 'd/big.bin', size: content.length, etag: stat?.etag });
    } finally {
      await tmp.cleanup();
    }
  });

  test('a bounded read of a large blob reads exactly its range', async () => {
    // Above the size where AzureBlobStore switches from direct GETs to the SDK's download.
    const store = await backend.make();
    const content = randomBytes(5 * 1024 * 1024 + 17);
    await store.put('big/blob.bin', content);
    const range = { offset: 3, length: content.length - 10 };
    expect(await store.readBuffer('big/blob.bin', range)).toEqual(
      content.subarray(range.offset, range.offset + range.length),
    );
  });

  test('a 0-byte blob reads and downloads as empty', async () => {
    const store = await backend.make();
    const tmp = await makeTmpDir();
    try {
      await store.createAppendable('e/empty.jsonl', new Uint8Array());
      expect((await store.readBuffer('e/empty.jsonl')).length).toBe(0);
      const target = join(tmp.path, 'empty.jsonl');
      expect(await store.download('e/empty.jsonl', target)).toMatchObject({ size: 0 });
      expect((await readFile(target)).length).toBe(0);
    } finally {
      await tmp.cleanup();
    }
  });

  test('puts from a stream and replaces a blob', async () => {
    const store = await backend.make();
    await store.put('p/stream.csv', Readable.from([text('a,b\n'), text('1,2\n')]));
    expect((await store.readBuffer('p/stream.csv')).toString()).toBe('a,b\n1,2\n');
    await store.put('p/stream.csv', text('replaced'));
    expect((await store.readBuffer('p/stream.csv')).toString()).toBe('replaced');
  });

  test('createAppendable writes the header once; a second creator gets "exists"', async () => {
    const store = await backend.make();
    expect(await store.createAppendable('c/inputs.csv', text('a,b\r\n'))).toBe('created');
    expect(await store.createAppendable('c/inputs.csv', text('x,y,z\r\n'))).toBe('exists');
    expect((await store.readBuffer('c/inputs.csv')).toString()).toBe('a,b\r\n');
    expect(await store.createAppendable('c/empty.jsonl', new Uint8Array())).toBe('created');
    expect(await store.createAppendable('c/empty.jsonl', new Uint8Array())).toBe('exists');
    expect((await store.readBuffer('c/empty.jsonl')).length).toBe(0);
  });

  test('racing creators: exactly one header lands at offset 0', async () => {
    const store = await backend.make();
    const headers = Array.from({ length: 6 }, (_, i) => `header${i},col\n`);
    const results = await Promise.all(
      headers.map((header) => store.createAppendable('race/data.csv', text(header))),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(5);
    const winner = headers[results.indexOf('created')];
    expect((await store.readBuffer('race/data.csv')).toString()).toBe(winner);
  });

  test('appends in order and reports the new size', async () => {
    const store = await backend.make();
    await store.createAppendable('a/log.csv', text('h\n'));
    const first = await store.append('a/log.csv', text('1\n'));
    const second = await store.append('a/log.csv', text('22\n'));
    expect(first.size).toBe(4);
    expect(second.size).toBe(7);
    expect((await store.readBuffer('a/log.csv')).toString()).toBe('h\n1\n22\n');
  });

  test('a conditional append lands at the expected offset and reports it', async () => {
    const store = await backend.make();
    await store.createAppendable('o/log.csv', text('h\n'));
    expect(await store.append('o/log.csv', text('1\n'), { expectedOffset: 2 })).toMatchObject({
      offset: 2,
      size: 4,
    });
    expect(await store.append('o/log.csv', text('22\n'), { expectedOffset: 4 })).toMatchObject({
      offset: 4,
      size: 7,
    });
    // Without a condition the offset is reported too.
    expect(await store.append('o/log.csv', text('3\n'))).toMatchObject({ offset: 7, size: 9 });
    expect((await store.readBuffer('o/log.csv')).toString()).toBe('h\n1\n22\n3\n');
  });

  test('a conditional append at a stale offset writes nothing: "append-position-mismatch"', async () => {
    const store = await backend.make();
    await store.createAppendable('o/stale.csv', text('h\n'));
    await store.append('o/stale.csv', text('1\n'), { expectedOffset: 2 });
    // The same send again (what a retry after a lost response is) and a writer behind the times.
    for (const offset of [2, 0, 9]) {
      const error = await expectStorageError(
        store.append('o/stale.csv', text('1\n'), { expectedOffset: offset }),
        'append-position-mismatch',
      );
      expect(error).toBeInstanceOf(AppendPositionError);
      expect(error.isTransient).toBe(false);
      expect(error.message).toContain('o/stale.csv');
      const mismatch = error as AppendPositionError;
      expect(mismatch.expectedOffset).toBe(offset);
      // The local store knows the size; Azure's 412 does not say.
      expect([undefined, 4]).toContain(mismatch.currentSize);
    }
    expect((await store.readBuffer('o/stale.csv')).toString()).toBe('h\n1\n');
    await expectStorageError(
      store.append('o/missing.csv', text('1\n'), { expectedOffset: 0 }),
      'blob-not-found',
    );
  });

  test('racing conditional appends at one offset: exactly one lands', async () => {
    const store = await backend.make();
    await store.createAppendable('o/race.csv', text('h\n'));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        store.append('o/race.csv', text(`w${i}\n`), { expectedOffset: 2 }),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect((r.reason as StorageError).code).toBe('append-position-mismatch');
      }
    }
    expect((await store.readBuffer('o/race.csv')).toString()).toBe(`h\nw${won[0]}\n`);
  });

  test('concurrent appenders: every chunk present once, never interleaved', async () => {
    const store = await backend.make();
    await store.createAppendable('a/shared.csv', text('writer,seq,pad\n'));
    const writers = 6;
    const perWriter = 5;
    const pad = 'x'.repeat(2000);
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let seq = 0; seq < perWriter; seq++) {
          // Two lines per append: interleaving would split or mix them.
          await store.append('a/shared.csv', text(`${w},${seq},${pad}\n${w},${seq}b,${pad}\n`));
        }
      }),
    );
    const lines = (await store.readBuffer('a/shared.csv')).toString().split('\n');
    expect(lines[0]).toBe('writer,seq,pad');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(writers * perWriter * 2);
    expect(new Set(body).size).toBe(body.length);
    for (let i = 0; i < body.length; i += 2) {
      const [w, seq, padding] = (body[i] as string).split(',');
      expect(padding).toBe(pad);
      expect(body[i + 1]).toBe(`${w},${seq}b,${pad}`);
    }
    for (let w = 0; w < writers; w++) {
      const seqs = body.filter((line) => line.startsWith(`${w},`) && !line.includes('b,'));
      // Each writer's own appends keep their order.
      expect(seqs.map((line) => line.split(',')[1])).toEqual(['0', '1', '2', '3', '4']);
    }
  });

  test('a missing blob is "blob-not-found" for read, download and append', async () => {
    const store = await backend.make();
    await store.put('m/other.csv', text('x'));
    const tmp = await makeTmpDir();
    try {
      await expectStorageError(store.read('m/missing.csv'), 'blob-not-found');
      await expectStorageError(store.readBuffer('m/missing.csv'), 'blob-not-found');
      await expectStorageError(store.readBuffer('m/missing.csv', { length: 10 }), 'blob-not-found');
      await expectStorageError(
        store.download('m/missing.csv', join(tmp.path, 'x.csv')),
        'blob-not-found',
      );
      await expectStorageError(store.append('m/missing.csv', text('1\n')), 'blob-not-found');
      expect(await store.stat('m/missing.csv')).toBeUndefined();
    } finally {
      await tmp.cleanup();
    }
  });

  test('deletes, and deleting a missing blob is fine', async () => {
    const store = await backend.make();
    await store.put('del/x.csv', text('x'));
    await store.delete('del/x.csv');
    expect(await store.stat('del/x.csv')).toBeUndefined();
    await store.delete('del/x.csv');
  });
});

describe('LocalBlobStore only', () => {
  test('names that try to leave the folder are refused', async () => {
    const tmp = await makeTmpDir();
    try {
      const store = new LocalBlobStore(join(tmp.path, 'root'));
      for (const name of ['../x.csv', 'a/../../x.csv', '/etc/passwd']) {
        await expectStorageError(store.put(name, text('x')), 'invalid-blob-name');
        await expectStorageError(store.read(name), 'invalid-blob-name');
        await expectStorageError(store.createAppendable(name, text('h')), 'invalid-blob-name');
      }
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('AzureBlobStore only', () => {
  test('describes itself without secrets', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    expect(store.description).toBe(`az://${container} at ${azurite.blobEndpoint}`);
  });

  test('a reader of a missing container gets "container-not-found" naming it', async () => {
    const store = AzureBlobStore.fromConnectionString(
      azurite.connectionString,
      'no-such-container',
    );
    const error = await expectStorageError(collect(store.list('a/')), 'container-not-found');
    expect(error.message).toBe(
      `container "no-such-container" does not exist at ${azurite.blobEndpoint}`,
    );
    await expectStorageError(store.stat('a/b.csv'), 'container-not-found');
    await expectStorageError(store.readBuffer('a/b.csv', { length: 5 }), 'container-not-found');
  });

  test('listing reports names, sizes, etags and times exactly as the SDK listing does', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    const client = new ContainerClient(
      `${azurite.blobEndpoint}/${container}`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const names = [
      'p/a&b<c>.csv',
      `p/q"uote'.csv`,
      'p/ünï çødé.csv',
      'p/ spaced .csv',
      'p/trailing space ',
      'p/100%+x=y#z?.csv',
      'p/deep/er/x.csv',
      'p/deep/y.csv',
      'q/other.csv',
    ];
    for (const [i, name] of names.entries()) {
      await store.put(name, text('x'.repeat(i + 1)));
    }
    const sdkFlat: ListEntry[] = [];
    for await (const item of client.listBlobsFlat({ prefix: 'p/' })) {
      sdkFlat.push(sdkEntry(item.name, item.properties));
    }
    expect(sdkFlat).toHaveLength(8);
    expect(await entries(store.list('p/'))).toEqual(sdkFlat);
    const sdkLevel: ListEntry[] = [];
    for await (const item of client.listBlobsByHierarchy('/', { prefix: 'p/' })) {
      sdkLevel.push(
        item.kind === 'prefix'
          ? { kind: 'prefix', name: item.name }
          : sdkEntry(item.name, item.properties),
      );
    }
    expect(await entries(store.list('p/', { delimiter: '/' }))).toEqual(sdkLevel);
    // Page by page (2 entries each), following the service's markers.
    const paged: ListEntry[] = [];
    let marker = '';
    let pages = 0;
    do {
      const page = await listPage(client, { prefix: 'p/', marker, maxResults: 2 });
      paged.push(...page.entries);
      marker = page.nextMarker;
      pages++;
    } while (marker !== '');
    expect(pages).toBe(4);
    expect(paged).toEqual(sdkFlat);
  });

  test('bounded reads address blobs exactly as the SDK does, whatever their names', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    const client = new ContainerClient(
      `${azurite.blobEndpoint}/${container}?sv=2024-01-01&sig=abc%2Bdef`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const names = [
      'd/a b.csv',
      'd/hash#q?.csv',
      'd/100%+plus&eq=.csv',
      'd/ünï/çødé.csv',
      'd//x.csv',
    ];
    for (const [i, name] of names.entries()) {
      expect(blobUrl(client.url, name)).toBe(client.getBlobClient(name).url);
      await store.put(name, text(`blob ${i}`));
      expect((await store.readBuffer(name, { length: 6 })).toString()).toBe(`blob ${i}`);
    }
  });

  test('writers create a missing container on first use', async () => {
    const name = `lazy-${randomBytes(4).toString('hex')}`;
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, name);
    expect(await store.createAppendable('x/data.csv', text('h\n'))).toBe('created');
    await store.append('x/data.csv', text('1\n'));
    expect((await store.readBuffer('x/data.csv')).toString()).toBe('h\n1\n');

    const streamed = AzureBlobStore.fromConnectionString(azurite.connectionString, `${name}-s`);
    await streamed.put('y.csv', Readable.from([text('streamed')]));
    expect((await streamed.readBuffer('y.csv')).toString()).toBe('streamed');
  });

  test('a blob left empty by a crashed writer gets its header from the next writer', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    // What a writer that died between create() and its header append leaves behind:
    await store.createAppendable('crash/data.csv', new Uint8Array());
    expect(await store.createAppendable('crash/data.csv', text('a,b\n'))).toBe('created');
    expect(await store.createAppendable('crash/data.csv', text('x,y\n'))).toBe('exists');
    expect((await store.readBuffer('crash/data.csv')).toString()).toBe('a,b\n');
  });

  test('an append above the block limit is refused before any request', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    await store.createAppendable('big.csv', new Uint8Array());
    const error = await expectStorageError(
      store.append('big.csv', new Uint8Array(MAX_APPEND_BYTES + 1)),
      'append-too-large',
    );
    expect(error.message).toContain('big.csv');
  });

  test('append reports the committed block count', async () => {
    const container = await azurite.createContainer();
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    await store.createAppendable('blocks.csv', text('h\n'));
    const result = await store.append('blocks.csv', text('1\n'));
    expect(result).toEqual({ offset: 2, size: 4, blockCount: 2 });
  });

  test('an unreachable endpoint is "storage-unreachable" and transient', async () => {
    const port = await freePort();
    const connectionString = azurite.connectionString.replace(`:${azurite.port}/`, `:${port}/`);
    const store = AzureBlobStore.fromConnectionString(connectionString, 'modeldata');
    const error = await expectStorageError(store.stat('a.csv'), 'storage-unreachable');
    expect(error.isTransient).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.hint).toBeDefined();
  });

  test('a wrong account key is "access-denied" and never shows the key', async () => {
    const container = await azurite.createContainer();
    const wrongKey = randomBytes(64).toString('base64');
    const store = AzureBlobStore.fromConnectionString(
      azurite.connectionString.replace(AZURITE_KEY, wrongKey),
      container,
    );
    for (const attempt of [collect(store.list('')), store.put('x.csv', text('x'))]) {
      const error = await expectStorageError(attempt, 'access-denied');
      expect(error.hint).toMatch(/key|SAS/);
      for (const shown of [error.message, error.hint, String(error.cause), error.stack]) {
        expect(shown).not.toContain(wrongKey);
        expect(shown).not.toContain(AZURITE_KEY);
      }
    }
  });

  test('a container SAS URL works; a forged signature is "access-denied" without the sig', async () => {
    const container = await azurite.createContainer();
    // The emulator's well-known key, only to mint a SAS for the test.
    const client = new ContainerClient(
      `${azurite.blobEndpoint}/${container}`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const sasUrl = await client.generateSasUrl({
      permissions: ContainerSASPermissions.parse('racwdl'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const sig = new URL(sasUrl).searchParams.get('sig') ?? '';
    expect(sig).not.toBe('');

    const store = AzureBlobStore.fromContainerUrl(sasUrl);
    expect(store.description).toBe(`az://${container} at ${azurite.blobEndpoint}`);
    await store.put('s/a.csv', text('sas'));
    expect(await collect(store.list('s/'))).toEqual(['blob:s/a.csv']);
    expect((await store.readBuffer('s/a.csv', { length: 3 })).toString()).toBe('sas');

    const forged = randomBytes(32).toString('base64');
    const bad = new URL(sasUrl);
    bad.searchParams.set('sig', forged);
    const denied = AzureBlobStore.fromContainerUrl(bad.toString());
    for (const read of [
      denied.readBuffer('s/a.csv'),
      denied.readBuffer('s/a.csv', { length: 3 }),
    ]) {
      const error = await expectStorageError(read, 'access-denied');
      for (const shown of [error.message, error.hint, String(error.cause), error.stack]) {
        expect(shown).not.toContain(forged);
        expect(shown).not.toContain(sig);
      }
    }
  });
});

/** A loopback port with nothing listening on it (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** An SDK list item as the BlobInfo the store must report for it. */
function sdkEntry(
  name: string,
  properties: { contentLength?: number; etag?: string; lastModified: Date },
): ListEntry {
  return {
    kind: 'blob',
    name,
    size: properties.contentLength ?? 0,
    etag: properties.etag ?? '',
    lastModified: properties.lastModified,
  };
}

async function entries(listing: AsyncIterable<ListEntry>): Promise<ListEntry[]> {
  const all: ListEntry[] = [];
  for await (const entry of listing) {
    all.push(entry);
  }
  return all;
}
