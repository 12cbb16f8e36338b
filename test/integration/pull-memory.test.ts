import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { writeArchive } from './pull-archives.js';

// A table DuckDB needs more memory to insert than a narrow one: it buffers a segment per
// column per thread. 300 columns do not fit in 16 MiB; they do in a few times that.
const COLUMNS = 300;
const ROWS = 2000;

let tmp: { path: string; cleanup: () => Promise<void> };
let root: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-memory-');
  root = join(tmp.path, 'source');
  const header = ['$aml_dc_correlation_id', ...Array.from({ length: COLUMNS }, (_, i) => `c${i}`)];
  const lines = [header.join(',')];
  for (let r = 0; r < ROWS; r++) {
    lines.push(
      [`id${r}`, ...Array.from({ length: COLUMNS }, (_, i) => (i % 2 ? `t${r}` : r * i))].join(','),
    );
  }
  await writeArchive(root, {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv': `${lines.join('\n')}\n`,
  });
});
afterAll(async () => {
  await tmp.cleanup();
});

const MIB = 1024 * 1024;

function pullWide(dbPath: string, memory: { initialBytes: number; maxBytes: number }) {
  return pullFolder(root, dbPath, { lastDay: 1, memory });
}

test('a wide table that outgrows the starting memory budget loads whole once the budget grows', async () => {
  const dbPath = join(tmp.path, 'grows', 'mdq.duckdb');
  const result = await pullWide(dbPath, { initialBytes: 16 * MIB, maxBytes: 1024 * MIB });
  expect(result.quarantined).toEqual([]);
  expect(result.rowsByTable).toEqual({ inputs: ROWS });
  expect(
    await queryDb(
      dbPath,
      `SELECT count(*)::INTEGER AS n, max(c298)::INTEGER AS c298, max(c299) AS c299 FROM inputs`,
    ),
  ).toEqual([{ n: ROWS, c298: (ROWS - 1) * 298, c299: 't999' }]);
});

test('at the ceiling, out of memory fails the pull with a clear error and loads nothing', async () => {
  const dbPath = join(tmp.path, 'ceiling', 'mdq.duckdb');
  await expect(pullWide(dbPath, { initialBytes: 16 * MIB, maxBytes: 16 * MIB })).rejects.toThrow(
    /^the load ran out of memory: Out of Memory Error/,
  );
  // Nothing loaded: the database this pull created is not left behind.
  expect(existsSync(dbPath)).toBe(false);
});

test('small blobs past the in-memory staging cap stage to files and load exactly beside the others', async () => {
  const source = join(tmp.path, 'many-small');
  const archive: Record<string, string> = {};
  for (let day = 1; day <= 9; day++) {
    const lines = Array.from({ length: 300 }, (_, r) => `d${day}r${r},${day * 1000 + r}`);
    archive[`sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/0${day}/inputs.csv`] =
      `$aml_dc_correlation_id,n\n${lines.join('\n')}\n`;
  }
  await writeArchive(source, archive);
  const dbPath = join(tmp.path, 'many-small', 'mdq.duckdb');
  // Room in memory for about two of the ~3.6 KB blobs: the other seven stage to files.
  const result = await pullFolder(source, dbPath, {
    lastDay: 9,
    batch: { maxInMemoryBytes: 8 * 1024, maxBlobs: 4 },
  });
  expect(result.rowsByTable).toEqual({ inputs: 2700 });
  expect(
    await queryDb(
      dbPath,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT _blob)::INTEGER AS blobs,
        count(*) FILTER (WHERE _correlation_id <> 'd' || day(_date) || 'r' || (n::INTEGER - day(_date) * 1000))::INTEGER AS wrong,
        sum(n)::BIGINT::VARCHAR AS total FROM inputs`,
    ),
  ).toEqual([
    {
      n: 2700,
      blobs: 9,
      wrong: 0,
      total: String(
        Array.from({ length: 9 }, (_, d) => 300 * (d + 1) * 1000 + (299 * 300) / 2).reduce(
          (a, b) => a + b,
          0,
        ),
      ),
    },
  ]);
});
