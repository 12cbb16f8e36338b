/**
 * A collector process for the replay crash tests: it collects nothing and replays the spool
 * (the constructor starts a replay; close() runs another pass). With `killAfterAppend: n` it
 * SIGKILLs itself right after the n-th append (0-based) reached storage, before the spool can
 * learn that it landed. With `liveCalls`, it is a live writer instead: it collects that many
 * calls (numbered from LIVE_FIRST_CALL) into the same blob while others replay. Prints
 * `replaying` once the collector (and so its replay) has started, and its stats as JSON when
 * close() returns. Run as
 * `node --import tsx test/integration/collect-replay-child.ts` with MDQ_REPLAY_CHILD set.
 */
import { ModelDataCollector } from '../../src/collect/index.js';
import { FaultyStore } from './collect-once-faults.js';
import {
  LIVE_FIRST_CALL,
  type ReplayDestination,
  replayRow,
  replayStore,
  streamOptions,
} from './collect-replay-setup.js';

export interface ReplayChildConfig {
  destination: ReplayDestination;
  spoolDir: string;
  killAfterAppend?: number;
  liveCalls?: number;
  rowsPerCall?: number;
}

export function replayChildCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./collect-replay-child.ts', import.meta.url).pathname],
  };
}

async function main(config: ReplayChildConfig): Promise<void> {
  const store = new FaultyStore(replayStore(config.destination));
  const killAt = config.killAfterAppend;
  if (killAt !== undefined) {
    store.afterAppend = (n) => {
      if (n >= killAt) {
        process.kill(process.pid, 'SIGKILL');
      }
    };
  }
  const errors: string[] = [];
  const collector = new ModelDataCollector('model', {
    ...streamOptions,
    store,
    spoolDir: config.spoolDir,
    env: {},
    onError: (error) => errors.push(error.message),
  });
  process.stdout.write('replaying\n');
  for (let i = 0; i < (config.liveCalls ?? 0); i++) {
    const call = LIVE_FIRST_CALL + i;
    collector.collect(
      Array.from({ length: config.rowsPerCall ?? 1 }, (_, row) => replayRow(call, row)),
    );
    // A service between requests: its appends go out while the replayers' do.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await collector.close();
  process.stdout.write(`${JSON.stringify({ stats: collector.stats(), errors })}\n`);
}

const raw = process.env.MDQ_REPLAY_CHILD;
if (raw !== undefined) {
  await main(JSON.parse(raw) as ReplayChildConfig);
}
