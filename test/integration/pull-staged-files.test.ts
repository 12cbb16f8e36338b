import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type Archive, writeArchive } from './pull-archives.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-staged-files-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const DAYS = 12;
const CONCURRENCY = 3;
const ROWS = 30_000;

/** Row r of day d: its value and a note whose length varies, so block edges fall anywhere. */
const value = (day: number, row: number) => day * 1_000_000 + row;
const note = (day: number, row: number) => `n${'x'.repeat((row * 7 + day) % 61)}`;

test('blobs staged to files concurrently, through shared write blocks, load byte for byte', async () => {
  const archive: Archive = {};
  const expected: { day: number; n: number; total: number; noteBytes: number }[] = [];
  for (let day = 1; day <= DAYS; day += 1) {
    const lines = ['$aml_dc_correlation_id,v,note'];
    let total = 0;
    let noteBytes = 0;
    for (let row = 0; row < ROWS; row += 1) {
      lines.push(`k${day}_${row},${value(day, row)},${note(day, row)}`);
      total += value(day, row);
      noteBytes += note(day, row).length;
    }
    archive[
      `sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/${String(day).padStart(2, '0')}/inputs.csv`
    ] = `${lines.join('\r\n')}\r\n`;
    expected.push({ day, n: ROWS, total, noteBytes });
  }
  const root = join(tmp.path, 'source');
  await writeArchive(root, archive);
  // Each blob is ~1.5 MB: over the in-memory limit, so each streams to a staged file of its
  // own, three at a time, copying through 1 MiB blocks that later downloads take over.
  const dbPath = join(tmp.path, 'mdq.duckdb');
  const result = await pullFolder(root, dbPath, { lastDay: DAYS, concurrency: CONCURRENCY });
  expect(result.quarantined).toEqual([]);
  expect(
    await queryDb(
      dbPath,
      `SELECT day(_date)::INTEGER AS day, count(*)::INTEGER AS n, sum(v)::BIGINT AS total,
         sum(length(note))::INTEGER AS "noteBytes"
       FROM inputs GROUP BY ALL ORDER BY day`,
    ),
  ).toEqual(expected.map((e) => ({ ...e, total: String(e.total) })));
});
