import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { type ChildConfig, childCommand } from '../helpers/collector-child.js';
import { exited, type Spawned, spawnWithOutput, waitForLine } from '../helpers/spawned.js';
import { storedRecords } from '../helpers/stored-records.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Rows must survive the ways a process ends: SIGTERM with signal handling on, falling off the
 * end without close(), and process.exit() with rows still queued (then a later collector replays
 * the spool into storage).
 */

const CALLS = 40;
const ROWS_PER_CALL = 25;
const ROWS = CALLS * ROWS_PER_CALL;

let azurite: Azurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function spawnChild(config: ChildConfig): Spawned {
  const { command, args } = childCommand();
  return spawnWithOutput(command, args, {
    ...process.env,
    MDQ_CHILD_CONFIG: JSON.stringify(config),
  });
}

const identity = {
  service: 'svc',
  identifier: 'inputs',
  // Long interval and big batches: nothing is sent before the process is told to end.
  flushIntervalMs: 600_000,
  maxBatchRows: 1_000_000,
};

async function storedRows(store: BlobStore): Promise<string[]> {
  return (await storedRecords(store))
    .map((record) => `${record.tag}/${record.call}/${record.row}`)
    .sort();
}

function expectedRows(tag: string): string[] {
  const keys: string[] = [];
  for (let call = 0; call < CALLS; call++) {
    for (let row = 0; row < ROWS_PER_CALL; row++) {
      keys.push(`${tag}/${call}/${row}`);
    }
  }
  return keys.sort();
}

test('SIGTERM with signal handling on: every pending row is in storage, exit by the signal', async () => {
  const tmp = await makeTmpDir();
  try {
    if (azurite === undefined) {
      throw new Error('azurite did not start');
    }
    const container = await azurite.createContainer('sigterm');
    const child = spawnChild({
      model: 'model',
      collector: {
        ...identity,
        connectionString: azurite.connectionString,
        container,
        spoolDir: `${tmp.path}/spool`,
        handleSignals: true,
      },
      tag: 'sig',
      calls: CALLS,
      rowsPerCall: ROWS_PER_CALL,
      end: 'wait-signal',
    });
    await waitForLine(child, 'collected');
    child.kill('SIGTERM');
    const { code, signal } = await exited(child);
    // Re-raised with the default action: the status a shell reports as 128 + 15.
    expect(signal === 'SIGTERM' || code === 143).toBe(true);
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    expect(await storedRows(store)).toEqual(expectedRows('sig'));
    expect(await readdir(`${tmp.path}/spool`).catch(() => [])).toEqual([]);
  } finally {
    await tmp.cleanup();
  }
});

test('no close(), process ends on its own: beforeExit flushes every row to storage', async () => {
  const tmp = await makeTmpDir();
  try {
    if (azurite === undefined) {
      throw new Error('azurite did not start');
    }
    const container = await azurite.createContainer('noclose');
    const child = spawnChild({
      model: 'model',
      collector: {
        ...identity,
        connectionString: azurite.connectionString,
        container,
        spoolDir: `${tmp.path}/spool`,
      },
      tag: 'ret',
      calls: CALLS,
      rowsPerCall: ROWS_PER_CALL,
      end: 'return',
    });
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(child.output()).toBe('');
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    expect(await storedRows(store)).toEqual(expectedRows('ret'));
  } finally {
    await tmp.cleanup();
  }
});

test('process.exit() with rows queued: rows spooled synchronously, a later collector replays them', async () => {
  const tmp = await makeTmpDir();
  try {
    const folder = `${tmp.path}/modeldata`;
    const spoolDir = `${tmp.path}/spool`;
    const child = spawnChild({
      model: 'model',
      collector: { ...identity, folder, spoolDir },
      tag: 'exit',
      calls: CALLS,
      rowsPerCall: ROWS_PER_CALL,
      end: 'exit',
    });
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    const store = new LocalBlobStore(folder);
    const spooled = (await readdir(spoolDir)).filter((name) => name.endsWith('.batch'));
    expect(spooled.length).toBeGreaterThan(0);
    expect((await storedRows(store).catch(() => [])).length).toBeLessThan(ROWS);

    // A later process (here: this one) replays the spool on start and on close.
    const later = new ModelDataCollector('model', { ...identity, folder, spoolDir });
    await later.close();
    // Another process's rows: replayed by this collector, but not its own written rows.
    expect(later.stats()).toMatchObject({ collected: 0, written: 0, replayed: ROWS, dropped: 0 });
    expect(await storedRows(store)).toEqual(expectedRows('exit'));
    expect((await readdir(spoolDir)).filter((name) => !name.startsWith('.'))).toEqual([]);
  } finally {
    await tmp.cleanup();
  }
});
