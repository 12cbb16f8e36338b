import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import type { PullProgress } from '../../src/query/pull/index.js';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { writeArchive } from './pull-archives.js';

// Databases made before blob ids kept every path fact on each row, in role tables of `main`.
const ROOT = 'sub1/rg1/ws1/irisapp/iris/3';
const GEN = '$aml_dc_correlation_id,$aml_dc_scoring_timestamp';
const inputs = (day: string, rows: string[]) =>
  `x,${GEN}\n${rows.join('\n')}\n`.replaceAll('D', day);

let tmp: { path: string; cleanup: () => Promise<void> };
let source: string;
let dbPath: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-legacy-');
  source = join(tmp.path, 'source');
  dbPath = join(tmp.path, 'mdq.duckdb');
});
afterAll(async () => {
  await tmp.cleanup();
});

function pullJanuary(onProgress?: (progress: PullProgress) => void) {
  return pullFolder(source, dbPath, onProgress ? { onProgress } : {});
}

/** Rewrites the database as the legacy layout had it: the views' rows as plain tables. */
async function makeLegacy(): Promise<void> {
  const db = await openDatabase(dbPath);
  try {
    for (const sql of [
      'CREATE TABLE legacy_inputs AS SELECT * FROM main.inputs',
      // A user's column that the stored layout's helper shares a name with.
      "ALTER TABLE legacy_inputs ADD COLUMN _stream VARCHAR DEFAULT 'theirs'",
      'CREATE TABLE legacy_predictions AS SELECT * FROM main.predictions',
      'DROP VIEW main.scored',
      'DROP VIEW main.inputs',
      'DROP VIEW main.predictions',
      'DROP SCHEMA mdq_data CASCADE',
      'ALTER TABLE legacy_inputs RENAME TO inputs',
      'ALTER TABLE legacy_predictions RENAME TO predictions',
      'CREATE VIEW scored AS SELECT * FROM inputs',
    ]) {
      await db.connection.run(sql);
    }
  } finally {
    db.close();
  }
}

const ALL_INPUTS =
  'SELECT _service, _model, _model_version, _identifier, _date::VARCHAR AS d, _ts::VARCHAR AS ts, _correlation_id, _row, _blob, x FROM inputs ORDER BY _date, _correlation_id, _row';

test('a legacy database moves to the stored layout on the next pull, rows and columns unchanged', async () => {
  await writeArchive(source, {
    [`${ROOT}/inputs/2024/01/01/inputs.csv`]: inputs('2024-01-01', [
      '1,a,DT10:00:00',
      '2,a,DT10:00:00',
      '3,b,DT11:00:00',
    ]),
    [`${ROOT}/predictions/2024/01/01/predictions.csv`]: `label,${GEN}\nsetosa,a,2024-01-01T10:00:00\nvirginica,a,2024-01-01T10:00:00\n`,
  });
  await pullJanuary();
  const before = await queryDb(dbPath, ALL_INPUTS);
  expect(before).toHaveLength(3);
  await makeLegacy();
  expect(
    await queryDb(
      dbPath,
      "SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'inputs'",
    ),
  ).toEqual([{ table_type: 'BASE TABLE' }]);

  // Day 2 is new; day 1's predictions changed, so their legacy rows must be replaced, not kept.
  await writeArchive(source, {
    [`${ROOT}/inputs/2024/01/02/inputs.csv`]: inputs('2024-01-02', ['4,c,DT09:00:00']),
    [`${ROOT}/predictions/2024/01/01/predictions.csv`]: `label,${GEN}\nversicolor,a,2024-01-01T10:00:00\nsetosa,a,2024-01-01T10:00:00\nsetosa,b,2024-01-01T11:00:00\n`,
  });
  const phases: string[] = [];
  const result = await pullJanuary((progress) => {
    if (phases.at(-1) !== progress.phase) {
      phases.push(progress.phase);
    }
  });
  expect(result.rowsByTable).toEqual({ inputs: 1, predictions: 3 });
  // The migration is announced before it starts (a large database takes a while).
  expect(phases.slice(0, 3)).toEqual(['listing', 'migrating', 'listing']);

  const after = await queryDb(dbPath, ALL_INPUTS);
  expect(
    await queryDb(
      dbPath,
      'SELECT _date::VARCHAR AS d, data_stream FROM inputs GROUP BY ALL ORDER BY 1',
    ),
  ).toEqual([
    { d: '2024-01-01', data_stream: 'theirs' },
    { d: '2024-01-02', data_stream: null },
  ]);
  expect(after.slice(0, 3)).toEqual(before);
  expect(after[3]).toMatchObject({
    d: '2024-01-02',
    _correlation_id: 'c',
    x: '4', // BIGINT comes back as text in JSON
    _model_version: '3',
  });
  expect(
    await queryDb(
      dbPath,
      "SELECT table_schema, table_type FROM information_schema.tables WHERE table_name = 'inputs' ORDER BY 1",
    ),
  ).toEqual([
    { table_schema: 'main', table_type: 'VIEW' },
    { table_schema: 'mdq_data', table_type: 'BASE TABLE' },
  ]);
  expect(
    await queryDb(
      dbPath,
      'SELECT _correlation_id, _row::INTEGER AS _row, label, _matched FROM scored ORDER BY _date, _correlation_id, _row',
    ),
  ).toEqual([
    { _correlation_id: 'a', _row: 0, label: 'versicolor', _matched: true },
    { _correlation_id: 'a', _row: 1, label: 'setosa', _matched: true },
    { _correlation_id: 'b', _row: 0, label: 'setosa', _matched: true },
    { _correlation_id: 'c', _row: 0, label: null, _matched: false },
  ]);
});
