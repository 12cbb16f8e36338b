/**
 * A collector process that ends (process.exit) in the middle of an append, for the exit test:
 * `landed` exits after the n-th append reached Azurite but before its response was seen,
 * `unsent` exits just before the n-th append is sent. Run as
 * `node --import tsx test/integration/collect-once-child.ts` with MDQ_ONCE_CHILD set to the config.
 */
import { ModelDataCollector } from '../../src/collect/index.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import { FaultyStore } from './collect-once-faults.js';

export interface OnceChildConfig {
  connectionString: string;
  container: string;
  spoolDir: string;
  mode: 'landed' | 'unsent';
  /** The process dies in the first append from this one (0-based) after every row was collected. */
  exitAt: number;
  calls: number;
  rowsPerCall: number;
}

export function onceChildCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./collect-once-child.ts', import.meta.url).pathname],
  };
}

async function main(config: OnceChildConfig): Promise<void> {
  const store = new FaultyStore(
    AzureBlobStore.fromConnectionString(config.connectionString, config.container),
  );
  // Only once every row is collected: rows the loop never reached would be missing, not lost.
  let collectedAll = false;
  const hook = (n: number) => {
    if (collectedAll && n >= config.exitAt) {
      process.exit(0);
    }
  };
  if (config.mode === 'landed') {
    store.afterAppend = hook;
  } else {
    store.beforeAppend = hook;
  }
  const collector = new ModelDataCollector('model', {
    store,
    service: 'svc',
    identifier: 'inputs',
    spoolDir: config.spoolDir,
    flushIntervalMs: 10,
    maxBatchRows: 20,
    env: {},
  });
  for (let call = 0; call < config.calls; call++) {
    collector.collect(
      Array.from({ length: config.rowsPerCall }, (_, row) => ({ call, row, text: `c${call}` })),
    );
    if (call % 4 === 3) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  collectedAll = true;
  await collector.close();
  process.stdout.write('closed without exiting in an append\n');
}

const raw = process.env.MDQ_ONCE_CHILD;
if (raw !== undefined) {
  await main(JSON.parse(raw) as OnceChildConfig);
}
