/**
 * A collector process for the oversized-row test: it collects calls that hold one row larger than
 * an append (to be rejected), calls larger than an append made of ~1 MiB rows (to be cut at row
 * ends) and calls of small rows, into the same blob as its sibling process. Prints its stats and
 * errors as JSON after close(). Run as
 * `node --import tsx test/integration/collect-big-rows-child.ts` with MDQ_BIG_ROWS_CHILD set.
 */
import { ModelDataCollector } from '../../src/collect/index.js';
import { type ReplayDestination, replayStore } from './collect-replay-setup.js';

export interface BigRowsChildConfig {
  destination: ReplayDestination;
  spoolDir: string;
  tag: string;
  calls: number;
}

export const MIB = 1024 * 1024;

/** What call `call` collects: `payloadBytes` per row, `rows` rows. */
export function callShape(call: number): { rows: number; payloadBytes: number; tooLarge: boolean } {
  switch (call % 4) {
    case 0:
      return { rows: 1, payloadBytes: 5 * MIB, tooLarge: true };
    case 1:
      return { rows: 6, payloadBytes: MIB, tooLarge: false };
    default:
      return { rows: 20, payloadBytes: 100, tooLarge: false };
  }
}

export function payloadOf(tag: string, call: number, row: number, bytes: number): string {
  const head = `${tag}:${call}:${row}:`;
  return head + 'p'.repeat(bytes - head.length);
}

export function bigRowsChildCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./collect-big-rows-child.ts', import.meta.url).pathname],
  };
}

async function main(config: BigRowsChildConfig): Promise<void> {
  const errors: string[] = [];
  const collector = new ModelDataCollector('model', {
    store: replayStore(config.destination),
    service: 'svc',
    identifier: 'inputs',
    spoolDir: config.spoolDir,
    flushIntervalMs: 10,
    env: {},
    onError: (error) => errors.push(`${error.code}: ${error.message}`),
  });
  for (let call = 0; call < config.calls; call++) {
    const shape = callShape(call);
    collector.collect(
      Array.from({ length: shape.rows }, (_, row) => ({
        tag: config.tag,
        call,
        row,
        payload: payloadOf(config.tag, call, row, shape.payloadBytes),
      })),
    );
    // Let appends go out between calls, so both processes' appends interleave.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await collector.close();
  process.stdout.write(`${JSON.stringify({ stats: collector.stats(), errors })}\n`);
}

const raw = process.env.MDQ_BIG_ROWS_CHILD;
if (raw !== undefined) {
  await main(JSON.parse(raw) as BigRowsChildConfig);
}
