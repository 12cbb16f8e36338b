import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { StorageError } from '../../src/errors.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { writeArchive } from './pull-archives.js';

// Downloads start while the listing goes on: a failure of either must stop both, surface as
// the pull's error, and leave nothing half-loaded.
const ROOT = 'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01';
const DAYS = 6;

let tmp: { path: string; cleanup: () => Promise<void> };
let source: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-failures-');
  source = join(tmp.path, 'source');
  const archive: Record<string, string> = {};
  for (let day = 1; day <= DAYS; day += 1) {
    for (let part = 0; part < 8; part += 1) {
      const rows = Array.from({ length: 50 }, (_, i) => `d${day}p${part}r${i},${i}`);
      archive[`${ROOT}/0${day}/inputs_${part}.csv`] =
        `$aml_dc_correlation_id,x\n${rows.join('\n')}\n`;
    }
  }
  await writeArchive(source, archive);
});
afterAll(async () => {
  await tmp.cleanup();
});

/**
 * The local store, except that listing `failList` or reading `failRead` fails for good, and
 * listing the last days is slow: downloads of the first days run while it goes on.
 */
function failingStore(failList?: string, failRead?: string): BlobStore {
  const inner = new LocalBlobStore(source);
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'list') {
        return (prefix: string, options?: object) => {
          if (failList !== undefined && prefix.includes(failList)) {
            return (async function* () {
              yield* [];
              throw new StorageError('access-denied', `listing ${prefix} was refused`);
            })();
          }
          if (/\/01\/0[4-9]\/$/.test(prefix)) {
            return (async function* () {
              await new Promise((resolve) => setTimeout(resolve, 300));
              yield* target.list(prefix, options);
            })();
          }
          return target.list(prefix, options);
        };
      }
      if (property === 'read') {
        return async (name: string, options?: object) => {
          if (failRead !== undefined && name.includes(failRead)) {
            throw new StorageError('access-denied', `reading ${name} was refused`);
          }
          return target.read(name, options);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function pullWith(store: BlobStore, dbPath: string) {
  return pullFolder(source, dbPath, { store, lastDay: DAYS });
}

test('a day folder that cannot be listed fails the pull with its error, nothing loaded', async () => {
  const dbPath = join(tmp.path, 'list', 'mdq.duckdb');
  await expect(pullWith(failingStore(`/01/0${DAYS}/`), dbPath)).rejects.toThrow(
    /listing .*\/01\/06\/ was refused/,
  );
  // Nothing was committed, so the database this pull created is gone, not left empty.
  expect(existsSync(dbPath)).toBe(false);
  // The same pull with a working store then loads everything.
  const result = await pullWith(failingStore(), dbPath);
  expect(result.rowsByTable).toEqual({ inputs: DAYS * 8 * 50 });
});

test('a blob that cannot be read fails the pull with its error while listing goes on', async () => {
  const dbPath = join(tmp.path, 'read', 'new', 'mdq.duckdb');
  await expect(pullWith(failingStore(undefined, '/01/02/inputs_3'), dbPath)).rejects.toThrow(
    /reading .*inputs_3\.csv was refused/,
  );
  expect(existsSync(dbPath)).toBe(false);
  expect(existsSync(`${dbPath}.wal`)).toBe(false);
  // The folders the pull made for the database go too; the one that was there stays.
  expect(existsSync(join(tmp.path, 'read'))).toBe(false);
  expect(existsSync(tmp.path)).toBe(true);
});

test('a failed pull into an existing database keeps the database and its rows', async () => {
  const dbPath = join(tmp.path, 'existing', 'mdq.duckdb');
  await pullFolder(source, dbPath, { lastDay: 2 });
  await expect(pullWith(failingStore(undefined, '/01/05/inputs_1'), dbPath)).rejects.toThrow(
    /reading .*inputs_1\.csv was refused/,
  );
  expect(await queryDb(dbPath, 'SELECT count(*)::INTEGER AS n FROM inputs')).toEqual([
    { n: 2 * 8 * 50 },
  ]);
});
