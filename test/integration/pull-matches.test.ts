import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { archivePulls as pullsUnder } from './pull-archives.js';

/**
 * `scored` reads matches stored with the input rows (companions.ts): these check they stay
 * what a join of the stored tables gives, whatever order the rows come in.
 */
let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-matches-');
});
afterAll(async () => {
  await tmp.cleanup();
});

function archivePulls(name: string) {
  return pullsUnder(join(tmp.path, name), 20);
}

const file = (identifier: string, day: number, name = identifier) =>
  `sub1/rg1/ws1/irisapp/iris/3/${identifier}/2024/01/${String(day).padStart(2, '0')}/${name}.csv`;

/** `scored` as a plain join of the stored rows gives it: the first loaded (lowest blob id) wins. */
const JOINED = `SELECT i.x, (SELECT p.y FROM mdq_data.predictions p
    WHERE p."$aml_dc_correlation_id" = i."$aml_dc_correlation_id" AND p._row = i._row
    ORDER BY p._blob_id LIMIT 1) AS y, true AS _matched FROM mdq_data.inputs i ORDER BY i.x`;

async function scored(dbPath: string) {
  return queryDb(dbPath, 'SELECT x, y, _matched FROM scored ORDER BY x');
}

test('a prediction loaded in a later pull than its input matches it', async () => {
  const { dbPath, pullMore } = archivePulls('later');
  await pullMore({ [file('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k1\n3,k2\n' });
  expect(await queryDb(dbPath, 'SELECT x, _matched FROM scored ORDER BY x')).toEqual([
    { x: '1', _matched: false },
    { x: '2', _matched: false },
    { x: '3', _matched: false },
  ]);
  // The predictions of k1 now, of k2 in yet another pull, filed two weeks later.
  await pullMore({ [file('predictions', 1)]: 'y,$aml_dc_correlation_id\n10,k1\n20,k1\n' });
  await pullMore({ [file('predictions', 15)]: 'y,$aml_dc_correlation_id\n30,k2\n' });
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '20', _matched: true },
    { x: '3', y: '30', _matched: true },
  ]);
});

test('a prediction filed far from its input day, in the same pull, still matches', async () => {
  const { dbPath, pullMore } = archivePulls('far');
  await pullMore({
    [file('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    [file('predictions', 1)]: 'y,$aml_dc_correlation_id\n10,k1\n',
    [file('predictions', 12)]: 'y,$aml_dc_correlation_id\n20,k2\n',
  });
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '20', _matched: true },
  ]);
});

test('the first loaded of two predictions of a key wins, near or far, and rows never multiply', async () => {
  const { dbPath, pullMore } = archivePulls('duplicates');
  // Two blobs of one day with the same keys (one batch), and an older one far away.
  await pullMore({ [file('predictions', 18)]: 'y,$aml_dc_correlation_id\n1,k3\n' });
  await pullMore({
    [file('inputs', 2)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n3,k3\n',
    [file('predictions', 2)]: 'y,$aml_dc_correlation_id\n10,k1\n20,k2\n30,k3\n',
    [file('predictions', 2, 'predictions_1')]: 'y,$aml_dc_correlation_id\n11,k1\n21,k2\n',
  });
  // predictions.csv lists (and loads) before predictions_1.csv; day 18's came a pull earlier.
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '20', _matched: true },
    { x: '3', y: '1', _matched: true },
  ]);
  expect(await scored(dbPath)).toEqual(await queryDb(dbPath, JOINED));
});

test('a grown prediction blob reloads; its inputs match its new rows, or an older duplicate', async () => {
  const { root, dbPath, pullMore } = archivePulls('grown');
  await pullMore({
    [file('predictions', 3, 'predictions_0')]: 'y,$aml_dc_correlation_id\n5,k2\n',
  });
  await pullMore({
    [file('inputs', 3)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n3,k3\n',
    [file('predictions', 3)]: 'y,$aml_dc_correlation_id\n10,k1\n20,k2\n',
  });
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '5', _matched: true },
    { x: '3', y: null, _matched: false },
  ]);
  // The blob grows (an append blob): it is reloaded whole under a new id.
  await appendFile(join(root, file('predictions', 3)), '30,k3\n');
  const again = await pullMore({});
  expect(again.rowsByTable).toEqual({ predictions: 3 });
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '5', _matched: true },
    { x: '3', y: '30', _matched: true },
  ]);
  // An input blob that grows is reloaded and matched again as it is inserted.
  await appendFile(join(root, file('inputs', 3)), '4,k1\n');
  await pullMore({});
  expect(await scored(dbPath)).toEqual([
    { x: '1', y: '10', _matched: true },
    { x: '2', y: '5', _matched: true },
    { x: '3', y: '30', _matched: true },
    { x: '4', y: null, _matched: false },
  ]);
});

test('a database without stored matches (an older mdq) gets them on its next pull', async () => {
  const { dbPath, pullMore } = archivePulls('older');
  await pullMore({
    [file('inputs', 4)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    [file('predictions', 4)]: 'y,$aml_dc_correlation_id\n10,k1\n20,k2\n',
    [file('labels', 5)]: 'truth,$aml_dc_correlation_id\nyes,k2\n',
  });
  // What the previous version stored: no match columns, and a view that joined.
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run('DROP VIEW main.scored');
    await db.connection.run(`CREATE VIEW main.scored AS SELECT * FROM main.inputs`);
    const helpers = await db.connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'mdq_data'
         AND table_name = 'inputs' AND column_name LIKE '\\_mdq\\_%' ESCAPE '\\'`,
    );
    for (const [name] of helpers.getRowsJson()) {
      await db.connection.run(`ALTER TABLE mdq_data.inputs DROP COLUMN "${String(name)}"`);
    }
  } finally {
    db.close();
  }
  const next = await pullMore({ [file('inputs', 6)]: 'x,$aml_dc_correlation_id\n3,k3\n' });
  expect(next.rowsByTable).toEqual({ inputs: 1 });
  expect(
    await queryDb(dbPath, 'SELECT x, y, _matched, truth, _labeled FROM scored ORDER BY x'),
  ).toEqual([
    { x: '1', y: '10', _matched: true, truth: null, _labeled: false },
    { x: '2', y: '20', _matched: true, truth: 'yes', _labeled: true },
    { x: '3', y: null, _matched: false, truth: null, _labeled: false },
  ]);
});

test('prediction rows deleted by hand (with their manifest rows) match again on the next pull', async () => {
  const { dbPath, pullMore } = archivePulls('deleted');
  await pullMore({
    [file('inputs', 7)]: 'x,$aml_dc_correlation_id\n1,k1\n',
    [file('predictions', 7)]: 'y,$aml_dc_correlation_id\n10,k1\n',
  });
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run(
      `DELETE FROM mdq_data.predictions WHERE _blob_id IN (SELECT _blob_id FROM mdq_data.predictions)`,
    );
    await db.connection.run(`DELETE FROM mdq_manifest WHERE table_name = 'predictions'`);
  } finally {
    db.close();
  }
  await pullMore({});
  expect(await scored(dbPath)).toEqual([{ x: '1', y: '10', _matched: true }]);
});

test('views stay read-only: writing through scored or a role view fails', async () => {
  const { dbPath, pullMore } = archivePulls('read-only');
  await pullMore({ [file('inputs', 8)]: 'x,$aml_dc_correlation_id\n1,k1\n' });
  const db = await openDatabase(dbPath);
  try {
    await expect(db.connection.run('INSERT INTO scored (x) VALUES (2)')).rejects.toThrow();
    await expect(db.connection.run('UPDATE inputs SET x = 3')).rejects.toThrow();
  } finally {
    db.close();
  }
});
