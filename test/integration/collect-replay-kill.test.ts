import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { exited, type Spawned, spawnWithOutput, waitForLine } from '../helpers/spawned.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type ReplayChildConfig, replayChildCommand } from './collect-replay-child.js';
import {
  duplicatesAndMissing,
  expectedRowKeys,
  fillSpool,
  LIVE_FIRST_CALL,
  type ReplayDestination,
  replayStore,
  storedRowKeys,
} from './collect-replay-setup.js';

/**
 * Spool replay is exactly-once across crashes. A spool is filled while storage is down; once it
 * is back, replaying processes are SIGKILLed mid-replay while another process appends live rows
 * to the same blob, and a last replayer closes cleanly: every row is in storage once. A batch
 * whose append landed just before its process died is not sent again, one that did not land is
 * not lost, and another writer's rows at the recorded offset are not mistaken for ours.
 */

const CALLS = 600;
const ROWS_PER_CALL = 5;
const LIVE_CALLS = 400;
/**
 * When each replaying process is killed: ms after its replay started (six kills, 0.6 to 1.6 s).
 * Counted from the child's `replaying` line, so a slow start under load does not make a kill
 * miss the replay.
 */
const KILL_AFTER_MS = [600, 800, 1000, 1200, 1400, 1600];

function startChild(config: ReplayChildConfig): Spawned {
  const { command, args } = replayChildCommand();
  return spawnWithOutput(command, args, {
    ...process.env,
    MDQ_REPLAY_CHILD: JSON.stringify(config),
  });
}

async function spoolFiles(spoolDir: string): Promise<string[]> {
  return readdir(spoolDir).catch(() => []);
}

async function batchFiles(spoolDir: string): Promise<number> {
  return (await spoolFiles(spoolDir)).filter((name) => name.includes('.batch')).length;
}

/** Storage that is down until `restore()`: Azurite stopped, or a folder under a plain file. */
async function downStorage(
  kind: 'azure' | 'local',
  tmp: string,
): Promise<{
  destination: ReplayDestination;
  restore: () => Promise<void>;
  stop: () => Promise<void>;
}> {
  if (kind === 'local') {
    const blocker = join(tmp, 'blocked');
    await writeFile(blocker, 'not a folder');
    return {
      destination: { kind, folder: join(blocker, 'modeldata') },
      restore: () => rm(blocker),
      stop: async () => undefined,
    };
  }
  // Azurite on a free port, stopped: the port refuses connections until it starts again there.
  const first = await startAzurite();
  await first.stop();
  let azurite: Azurite | undefined;
  return {
    destination: { kind, connectionString: first.connectionString, container: 'replay' },
    restore: async () => {
      azurite = await startAzurite({ port: first.port });
    },
    stop: async () => {
      await azurite?.stop();
    },
  };
}

describe.each(['azure', 'local'] as const)('spool replay SIGKILLed six times (%s)', (kind) => {
  test('every row in storage exactly once, spool empty', { timeout: 240_000 }, async () => {
    const tmp = await makeTmpDir();
    const storage = await downStorage(kind, tmp.path);
    try {
      const spoolDir = join(tmp.path, 'spool');
      const filled = await fillSpool({
        destination: storage.destination,
        spoolDir,
        calls: CALLS,
        rowsPerCall: ROWS_PER_CALL,
        down: false,
      });
      expect(filled).toMatchObject({ written: 0, spooled: CALLS * ROWS_PER_CALL, dropped: 0 });
      const spooledFiles = await batchFiles(spoolDir);
      await storage.restore();

      const config: ReplayChildConfig = { destination: storage.destination, spoolDir };
      // A live writer into the same blob all along (with a spool of its own: it replays nothing).
      const live = startChild({
        destination: storage.destination,
        spoolDir: join(tmp.path, 'live-spool'),
        liveCalls: LIVE_CALLS,
        rowsPerCall: ROWS_PER_CALL,
      });
      let killedMidReplay = 0;
      for (const delay of KILL_AFTER_MS) {
        const child = startChild(config);
        await waitForLine(child, 'replaying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        child.kill('SIGKILL');
        const end = await exited(child);
        const left = await batchFiles(spoolDir);
        if (end.signal === 'SIGKILL' && left > 0 && left < spooledFiles) {
          killedMidReplay++;
        }
      }
      const last = startChild(config);
      expect(await exited(last)).toEqual({ code: 0, signal: null });
      expect(await exited(live), live.output()).toEqual({ code: 0, signal: null });
      const lastLine = last.output().trim().split('\n').at(-1) ?? '';
      expect(JSON.parse(lastLine).stats).toMatchObject({ dropped: 0 });

      const store = replayStore(storage.destination);
      const blobs: string[] = [];
      for await (const entry of store.list('')) {
        blobs.push(entry.name);
      }
      expect(blobs).toHaveLength(1); // replayers and the live writer shared one blob
      const stored = await storedRowKeys(store);
      const expected = [
        ...expectedRowKeys(CALLS, ROWS_PER_CALL),
        ...expectedRowKeys(LIVE_CALLS, ROWS_PER_CALL, LIVE_FIRST_CALL),
      ];
      expect(stored).toHaveLength(expected.length);
      expect(duplicatesAndMissing(stored, expected)).toEqual({ duplicates: 0, missing: 0 });
      expect(await spoolFiles(spoolDir)).toEqual([]);
      // The kills must have hit replays under way, or this test would prove nothing.
      expect(killedMidReplay).toBeGreaterThan(0);
    } finally {
      await storage.stop();
      await tmp.cleanup();
    }
  });
});

describe.each(['azure', 'local'] as const)(
  'replay killed just after an append landed (%s)',
  (kind) => {
    test('the landed batch is not sent again', { timeout: 120_000 }, async () => {
      const tmp = await makeTmpDir();
      let azurite: Azurite | undefined;
      try {
        let destination: ReplayDestination;
        if (kind === 'azure') {
          azurite = await startAzurite();
          destination = {
            kind,
            connectionString: azurite.connectionString,
            container: await azurite.createContainer('landed'),
          };
        } else {
          destination = { kind, folder: join(tmp.path, 'modeldata') };
        }
        const spoolDir = join(tmp.path, 'spool');
        const calls = 40;
        await fillSpool({ destination, spoolDir, calls, rowsPerCall: ROWS_PER_CALL, down: true });
        // Each process dies the moment its third append is in storage, before it can say so.
        for (let i = 0; i < 3; i++) {
          const child = startChild({ destination, spoolDir, killAfterAppend: 2 });
          expect(await exited(child)).toEqual({ code: null, signal: 'SIGKILL' });
        }
        const last = startChild({ destination, spoolDir });
        expect(await exited(last)).toEqual({ code: 0, signal: null });
        const stored = await storedRowKeys(replayStore(destination));
        expect(duplicatesAndMissing(stored, expectedRowKeys(calls, ROWS_PER_CALL))).toEqual({
          duplicates: 0,
          missing: 0,
        });
        expect(await spoolFiles(spoolDir)).toEqual([]);
      } finally {
        await azurite?.stop();
        await tmp.cleanup();
      }
    });
  },
);
