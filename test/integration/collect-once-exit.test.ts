import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { parseSpoolFile } from '../../src/collect/spool.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { storedRecords } from '../helpers/stored-records.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type OnceChildConfig, onceChildCommand } from './collect-once-child.js';

/**
 * A process that exits while an append is on its way spools that batch with the range it was
 * sent to; a later collector reads the range back and sends only what did not land.
 */

const CALLS = 40;
const ROWS_PER_CALL = 5;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

function runChild(config: OnceChildConfig): Promise<{ code: number | null; output: string }> {
  const { command, args } = onceChildCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, MDQ_ONCE_CHILD: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

async function storedRows(store: BlobStore): Promise<string[][]> {
  return (await storedRecords(store)).map((record) => [String(record.call), String(record.row)]);
}

describe.each(['landed', 'unsent'] as const)('exit during an append (%s)', (mode) => {
  test('every row stored exactly once after the replay', async () => {
    const tmp = await makeTmpDir();
    try {
      const container = await azurite.createContainer(`exit-${mode}`);
      const spoolDir = join(tmp.path, 'spool');
      const result = await runChild({
        connectionString: azurite.connectionString,
        container,
        spoolDir,
        mode,
        exitAt: 3,
        calls: CALLS,
        rowsPerCall: ROWS_PER_CALL,
      });
      expect(result).toEqual({ code: 0, output: '' });

      const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
      const before = await storedRows(store);
      expect(before.length).toBeLessThan(CALLS * ROWS_PER_CALL);
      const spooled = [];
      for (const name of (await readdir(spoolDir)).filter((n) => n.endsWith('.batch'))) {
        spooled.push(parseSpoolFile(await readFile(join(spoolDir, name), 'utf8')));
      }
      // The batch that was on its way says where it was sent.
      const inDoubt = spooled.filter((record) => record?.meta.inDoubt !== undefined);
      expect(inDoubt).toHaveLength(1);
      const landed = await store.readBuffer(inDoubt[0]?.meta.inDoubt?.blob ?? '', {
        offset: inDoubt[0]?.meta.inDoubt?.offset ?? 0,
      });
      const payload = inDoubt[0]?.payload ?? '';
      if (mode === 'landed') {
        expect(landed.toString('utf8')).toBe(
          payload.slice(0, inDoubt[0]?.meta.inDoubt?.length ?? 0),
        );
      } else {
        expect(landed.length).toBe(0);
      }

      // A later collector for the same destination replays the spool.
      const later = new ModelDataCollector('model', {
        store,
        service: 'svc',
        identifier: 'inputs',
        spoolDir,
        env: {},
      });
      await later.close();
      expect(later.stats()).toMatchObject({ dropped: 0, errors: 0 });
      expect((await readdir(spoolDir)).filter((n) => n.endsWith('.batch'))).toEqual([]);

      const after = await storedRows(store);
      const keys = after.map(([call, row]) => `${call}/${row}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(CALLS * ROWS_PER_CALL);
      // One call's rows stay together and in order.
      for (let i = 0; i < after.length; i += ROWS_PER_CALL) {
        const call = after[i]?.[0];
        expect(after.slice(i, i + ROWS_PER_CALL)).toEqual(
          Array.from({ length: ROWS_PER_CALL }, (_, row) => [call, String(row)]),
        );
      }
    } finally {
      await tmp.cleanup();
    }
  });
});
