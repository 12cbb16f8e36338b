import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { type ChildConfig, childCommand, rowFor } from '../helpers/collector-child.js';
import { runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Three collector processes write the same service, identifier and day at once; one of them has
 * an extra column. Every row must be present once, every line must parse, and every blob must
 * hold exactly one header, as its first line.
 */

const CALLS = 100;
const ROWS_PER_CALL = 10;
const DAY_FOLDER = 'sub/rg/acct/svc/mid-model-1/inputs/2024/05/06/';
const HEADER = '$Timestamp,$CorrelationId,$RequestId,tag,call,row,text';

let azurite: Azurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function runChild(config: ChildConfig) {
  const { command, args } = childCommand();
  return runProcess(command, args, { ...process.env, MDQ_CHILD_CONFIG: JSON.stringify(config) });
}

async function runThree(collector: ChildConfig['collector'], spoolRoot: string): Promise<void> {
  const results = await Promise.all(
    ['a', 'b', 'c'].map((tag) =>
      runChild({
        model: 'model',
        collector: {
          ...collector,
          spoolDir: `${spoolRoot}/${tag}`,
          service: 'svc',
          subscription: 'sub',
          resourceGroup: 'rg',
          account: 'acct',
          modelId: 'mid',
          modelVersion: '1',
          identifier: 'inputs',
          maxBatchRows: 50,
          flushIntervalMs: 50,
        },
        timeMs: Date.UTC(2024, 4, 6, 12, 0, 0),
        tag,
        calls: CALLS,
        rowsPerCall: ROWS_PER_CALL,
        extraColumn: tag === 'c',
        end: 'close',
      }),
    ),
  );
  for (const result of results) {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { stats: Record<string, number>; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.stats).toMatchObject({
      collected: CALLS * ROWS_PER_CALL,
      written: CALLS * ROWS_PER_CALL,
      dropped: 0,
    });
  }
}

async function checkBlobs(store: BlobStore): Promise<void> {
  const names: string[] = [];
  for await (const entry of store.list(DAY_FOLDER)) {
    if (entry.kind === 'blob') {
      names.push(entry.name);
    }
  }
  names.sort();
  // data.csv for whoever came first with its columns, data-<hash of the header>.csv for the other.
  expect(names).toHaveLength(2);
  expect(names).toContain(`${DAY_FOLDER}data.csv`);
  expect(names.some((name) => /\/data-[0-9a-f]{8}\.csv$/.test(name))).toBe(true);

  const seen = new Map<string, number>();
  const headers = new Set<string>();
  for (const name of names) {
    const text = (await store.readBuffer(name)).toString('utf8');
    const firstLine = text.slice(0, text.indexOf('\r\n'));
    headers.add(firstLine);
    // csv-parse is strict about column counts: a torn or interleaved line fails here.
    const records = parse(text, { columns: true }) as Record<string, string>[];
    for (const record of records) {
      expect(record.$Timestamp).toBe('2024-05-06T12:00:00');
      expect(record.$RequestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.tag).not.toBe('tag'); // no second header inside a blob
      const key = `${record.tag}/${record.call}/${record.row}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const expected = rowFor(
        String(record.tag),
        Number(record.call),
        Number(record.row),
        record.tag === 'c',
      );
      expect(record).toMatchObject(
        Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, String(v)])),
      );
    }
  }
  expect([...headers].sort()).toEqual([HEADER, `${HEADER},extra`]);
  expect(seen.size).toBe(3 * CALLS * ROWS_PER_CALL);
  expect([...seen.values()].every((count) => count === 1)).toBe(true);
}

describe('three collector processes, same service and day', () => {
  test('local folder', async () => {
    const tmp = await makeTmpDir();
    try {
      const folder = `${tmp.path}/modeldata`;
      await runThree({ folder }, `${tmp.path}/spool`);
      await checkBlobs(new LocalBlobStore(folder));
    } finally {
      await tmp.cleanup();
    }
  });

  test('azurite', async () => {
    const tmp = await makeTmpDir();
    try {
      if (azurite === undefined) {
        throw new Error('azurite did not start');
      }
      const container = await azurite.createContainer('concurrent');
      await runThree(
        { connectionString: azurite.connectionString, container },
        `${tmp.path}/spool`,
      );
      await checkBlobs(AzureBlobStore.fromConnectionString(azurite.connectionString, container));
    } finally {
      await tmp.cleanup();
    }
  });
});
