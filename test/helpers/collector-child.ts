/**
 * A collector in its own process, for the concurrency, exit and signal tests. Run as
 * `node --import tsx test/helpers/collector-child.ts` with the JSON config in MDQ_CHILD_CONFIG.
 * Rows are `{ tag, call, row, text }`, so a test can check each one arrived exactly once.
 */
import { ModelDataCollector, type ModelDataCollectorOptions } from '../../src/collect/index.js';

export interface ChildConfig {
  model: string;
  collector: Omit<ModelDataCollectorOptions, 'clock' | 'onError' | 'onDrop' | 'store' | 'env'>;
  /** Fixed clock (ms since epoch), so every child writes the same day folder. */
  timeMs?: number;
  tag: string;
  calls: number;
  rowsPerCall: number;
  /** Adds a column, to start a second blob beside the day's first one. */
  extraColumn?: boolean;
  /**
   * How the child ends: `close` (and print stats), `return` (fall off the end, no close()),
   * `exit` (process.exit(0) with rows pending), `wait-signal` (print "collected", then idle).
   */
  end: 'close' | 'return' | 'exit' | 'wait-signal';
}

export function rowFor(tag: string, call: number, row: number, extra: boolean) {
  const base = { tag, call, row, text: row % 7 === 0 ? `q"uote, comma\nline ${tag}` : `t${row}` };
  return extra ? { ...base, extra: `x${call}` } : base;
}

export function childCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./collector-child.ts', import.meta.url).pathname],
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.MDQ_CHILD_CONFIG ?? '{}') as ChildConfig;
  const errors: string[] = [];
  const timeMs = config.timeMs;
  const collector = new ModelDataCollector(config.model, {
    ...config.collector,
    ...(timeMs === undefined ? {} : { clock: () => timeMs }),
    onError: (error) => errors.push(error.message),
    env: {},
  });
  for (let call = 0; call < config.calls; call++) {
    const rows = [];
    for (let row = 0; row < config.rowsPerCall; row++) {
      rows.push(rowFor(config.tag, call, row, config.extraColumn === true));
    }
    collector.collect(rows);
    if (call % 10 === 9) {
      // Let batches go out while collecting, like a service between requests.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  switch (config.end) {
    case 'close':
      await collector.close();
      process.stdout.write(`${JSON.stringify({ stats: collector.stats(), errors })}\n`);
      return;
    case 'return':
      return;
    case 'exit':
      process.exit(0);
      return;
    case 'wait-signal':
      process.stdout.write('collected\n');
      // Keep the process alive until the signal arrives (the collector's timers are unref'd).
      setInterval(() => undefined, 60_000);
      return;
  }
}

if (process.env.MDQ_CHILD_CONFIG !== undefined) {
  await main();
}
