import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';
import {
  type BigRowsChildConfig,
  bigRowsChildCommand,
  callShape,
  payloadOf,
} from './collect-big-rows-child.js';
import { type ReplayDestination, replayStore } from './collect-replay-setup.js';

/**
 * Two processes append to one blob. A row larger than one append (4 MiB) cannot land whole, so
 * its call is rejected (counted, reported through onError) rather than torn into pieces that the
 * other process's appends could land between; a call larger than an append is cut at row ends.
 * Every row in the blob is whole, and each of a call's rows is there once.
 */

const CALLS = 12;
const TAGS = ['a', 'b'];

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe.each(['azure', 'local'] as const)('rows above one append, two writers (%s)', (kind) => {
  test('rejected whole, never torn; every other row lands whole, once', {
    timeout: 120_000,
  }, async () => {
    const tmp = await makeTmpDir();
    try {
      const destination: ReplayDestination =
        kind === 'azure'
          ? {
              kind,
              connectionString: azurite.connectionString,
              container: await azurite.createContainer('big'),
            }
          : { kind, folder: join(tmp.path, 'modeldata') };
      const { command, args } = bigRowsChildCommand();
      const runs = await Promise.all(
        TAGS.map((tag) => {
          const config: BigRowsChildConfig = {
            destination,
            spoolDir: join(tmp.path, `spool-${tag}`),
            tag,
            calls: CALLS,
          };
          return runProcess(command, args, {
            ...process.env,
            MDQ_BIG_ROWS_CHILD: JSON.stringify(config),
          });
        }),
      );
      const tooLarge = Array.from({ length: CALLS }, (_, call) => callShape(call)).filter(
        (shape) => shape.tooLarge,
      ).length;
      const expectedRows = Array.from({ length: CALLS }, (_, call) => callShape(call))
        .filter((shape) => !shape.tooLarge)
        .reduce((sum, shape) => sum + shape.rows, 0);
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(0);
        const { stats, errors } = JSON.parse(run.stdout) as {
          stats: Record<string, number>;
          errors: string[];
        };
        expect(stats).toMatchObject({
          rejected: tooLarge,
          collected: expectedRows,
          written: expectedRows,
          dropped: 0,
        });
        expect(errors).toHaveLength(tooLarge);
        expect(errors[0]).toMatch(/^row-too-large: a row of \d+ bytes is larger than one append/);
      }

      const store = replayStore(destination);
      const seen = new Map<string, number>();
      let blobs = 0;
      for await (const entry of store.list('')) {
        if (entry.kind !== 'blob') {
          continue;
        }
        blobs++;
        const records = parse(await store.readBuffer(entry.name), {
          columns: true,
        }) as Record<string, string>[];
        for (const record of records) {
          const call = Number(record.call);
          const row = Number(record.row);
          const shape = callShape(call);
          expect(shape.tooLarge).toBe(false);
          // A torn row would not come back as it was collected.
          expect(
            record.payload === payloadOf(String(record.tag), call, row, shape.payloadBytes),
          ).toBe(true);
          const key = `${record.tag}/${call}/${row}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
      expect(blobs).toBe(1);
      expect(seen.size).toBe(TAGS.length * expectedRows);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await tmp.cleanup();
    }
  });
});
