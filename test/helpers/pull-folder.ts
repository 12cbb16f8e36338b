import { type PullOptions, pull } from '../../src/query/pull/index.js';
import { LocalBlobStore } from '../../src/store/local-store.js';

/**
 * The pull the integration tests make: service irisapp, January 1st to January `lastDay` (31
 * unless given) 2024, from the folder `source` into `dbPath`. `options` add to it or replace
 * any part (a store that wraps the folder, batch sizes, progress, a signal).
 */
export function pullFolder(
  source: string,
  dbPath: string,
  options: Partial<PullOptions> & { lastDay?: number } = {},
) {
  const { lastDay = 31, ...rest } = options;
  return pull({
    store: new LocalBlobStore(source),
    source,
    dbPath,
    service: 'irisapp',
    from: { year: 2024, month: 1, day: 1 },
    to: { year: 2024, month: 1, day: lastDay },
    ...rest,
  });
}
