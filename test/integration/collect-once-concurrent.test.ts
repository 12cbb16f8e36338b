import { spawn } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { type ChildConfig, childCommand } from '../helpers/collector-child.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Three processes append to the one blob of the same service, identifier and day with
 * conditional appends: they keep losing the race to each other, and still every row is stored
 * once, each process's rows in the order it collected them.
 */

const CALLS = 60;
const ROWS_PER_CALL = 5;
const BLOB = 'sub/rg/acct/svc/mid-model-1/inputs/2024/05/06/data.csv';
const TAGS = ['a', 'b', 'c'];

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function runChild(config: ChildConfig): Promise<{ code: number | null; stdout: string }> {
  const { command, args } = childCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, MDQ_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

async function runThree(
  destination: ChildConfig['collector'],
  spoolRoot: string,
  store: BlobStore,
): Promise<void> {
  const results = await Promise.all(
    TAGS.map((tag) =>
      runChild({
        model: 'model',
        collector: {
          ...destination,
          spoolDir: `${spoolRoot}/${tag}`,
          service: 'svc',
          subscription: 'sub',
          resourceGroup: 'rg',
          account: 'acct',
          modelId: 'mid',
          modelVersion: '1',
          identifier: 'inputs',
          // One call per batch, sent at once: as many appends racing as possible.
          maxBatchRows: ROWS_PER_CALL,
          flushIntervalMs: 1,
        },
        timeMs: Date.UTC(2024, 4, 6, 12, 0, 0),
        tag,
        calls: CALLS,
        rowsPerCall: ROWS_PER_CALL,
        end: 'close',
      }),
    ),
  );
  for (const result of results) {
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { stats: Record<string, number>; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.stats).toMatchObject({
      written: CALLS * ROWS_PER_CALL,
      spooled: 0,
      dropped: 0,
    });
  }

  const names: string[] = [];
  for await (const entry of store.list('')) {
    if (entry.kind === 'blob') {
      names.push(entry.name);
    }
  }
  expect(names).toEqual([BLOB]);
  const records = parse(await store.readBuffer(BLOB), { columns: true }) as Record<
    string,
    string
  >[];
  expect(records).toHaveLength(TAGS.length * CALLS * ROWS_PER_CALL);
  for (const tag of TAGS) {
    // In file order, this process's rows are exactly the ones it collected, in collect() order.
    const mine = records
      .filter((record) => record.tag === tag)
      .map((record) => `${record.call}/${record.row}`);
    const expected: string[] = [];
    for (let call = 0; call < CALLS; call++) {
      for (let row = 0; row < ROWS_PER_CALL; row++) {
        expected.push(`${call}/${row}`);
      }
    }
    expect(mine).toEqual(expected);
  }
  // A call's rows are contiguous: appends never interleave.
  for (let i = 0; i < records.length; i += ROWS_PER_CALL) {
    const first = records[i];
    const group = records.slice(i, i + ROWS_PER_CALL);
    expect(group.map((record) => `${record.tag}/${record.call}/${record.row}`)).toEqual(
      Array.from({ length: ROWS_PER_CALL }, (_, row) => `${first?.tag}/${first?.call}/${row}`),
    );
  }
}

describe('three processes, one blob, conditional appends', () => {
  test('azurite', async () => {
    const tmp = await makeTmpDir();
    try {
      const container = await azurite.createContainer('once3');
      await runThree(
        { connectionString: azurite.connectionString, container },
        `${tmp.path}/spool`,
        AzureBlobStore.fromConnectionString(azurite.connectionString, container),
      );
    } finally {
      await tmp.cleanup();
    }
  });

  test('local folder', async () => {
    const tmp = await makeTmpDir();
    try {
      const folder = `${tmp.path}/modeldata`;
      await runThree({ folder }, `${tmp.path}/spool`, new LocalBlobStore(folder));
    } finally {
      await tmp.cleanup();
    }
  });
});
