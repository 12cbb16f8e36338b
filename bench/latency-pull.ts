/**
 * `npm run bench:latency`: how a pull fares when every store call pays a network round trip,
 * which Azurite on loopback does not show. Writes 3,000 small AKS blobs (2 identifiers × 30
 * days × 50) to a temporary folder and pulls them 3 times through the local store with
 * LIST_MS added to each list call and READ_MS to each read (defaults 30 and 15 ms). Prints the
 * times; run it on two commits to compare them. Not part of `npm run bench`: no baseline.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pull } from '../src/query/pull/index.js';
import type { BlobStore } from '../src/store/blob-store.js';
import { LocalBlobStore } from '../src/store/local-store.js';
import { secondsSince } from './stats.js';

const LIST_MS = Number(process.env.LIST_MS ?? 30);
const READ_MS = Number(process.env.READ_MS ?? 15);
const DAYS = 30;
const BLOBS_PER_DAY = 50;

/** The store, with a delay before every list and read. */
function withRoundTrips(inner: BlobStore): BlobStore {
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'list') {
        return (prefix: string, options?: object) =>
          (async function* () {
            await sleep(LIST_MS);
            yield* target.list(prefix, options);
          })();
      }
      if (property === 'read') {
        return async (name: string, options?: object) => {
          await sleep(READ_MS);
          return target.read(name, options);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const work = await mkdtemp(join(tmpdir(), 'mdq-bench-latency-'));
try {
  const source = join(work, 'source');
  for (const identifier of ['inputs', 'predictions']) {
    for (let day = 1; day <= DAYS; day += 1) {
      const folder = join(source, 'sub/rg/ws/irisapp/iris/1', identifier, '2026/01');
      const dayFolder = join(folder, String(day).padStart(2, '0'));
      await mkdir(dayFolder, { recursive: true });
      for (let part = 0; part < BLOBS_PER_DAY; part += 1) {
        const rows = Array.from({ length: 12 }, (_, r) => `${r},${part},c${day}-${part}-${r}`);
        await writeFile(
          join(dayFolder, `${identifier}_${part}.csv`),
          `x,y,$aml_dc_correlation_id\n${rows.join('\n')}\n`,
        );
      }
    }
  }
  const store = withRoundTrips(new LocalBlobStore(source));
  const seconds: string[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = process.hrtime.bigint();
    const result = await pull({
      store,
      source,
      dbPath: join(work, `db${run}`, 'mdq.duckdb'),
      service: 'irisapp',
      from: { year: 2026, month: 1, day: 1 },
      to: { year: 2026, month: 1, day: DAYS },
    });
    seconds.push(`${secondsSince(started).toFixed(2)} s (${result.blobsLoaded} blobs)`);
  }
  process.stdout.write(
    `pull of ${2 * DAYS * BLOBS_PER_DAY} small blobs, ${LIST_MS} ms per list, ${READ_MS} ms per read: ${seconds.join(', ')}\n`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
