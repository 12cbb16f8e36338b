import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import {
  AKS_ARCHIVE,
  type Archive,
  V2_ARCHIVE,
  WORKBENCH_ARCHIVE,
  writeArchive,
} from './pull-archives.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-formats-');
});
afterAll(async () => {
  await tmp.cleanup();
});

/** A source folder and database under `name`; each pullMore adds `archive`, then pulls days 1-4. */
function archivePulls(name: string) {
  const root = join(tmp.path, name, 'source');
  const dbPath = join(tmp.path, name, 'mdq.duckdb');
  const pullMore = async (archive: Archive) => {
    await writeArchive(root, archive);
    return pullFolder(root, dbPath, { lastDay: 4 });
  };
  return { dbPath, pullMore };
}

async function pullArchive(name: string, archive: Archive) {
  const { dbPath, pullMore } = archivePulls(name);
  return { result: await pullMore(archive), dbPath };
}

test('AKS: CRLF header with LF rows, unpadded day, schema change, empty blobs, aligned join', async () => {
  const { result, dbPath } = await pullArchive('aks', AKS_ARCHIVE);
  expect(result.rowsByTable).toEqual({ inputs: 6, predictions: 6 });
  expect(result.quarantined).toEqual([]);
  expect(result.blobsLoaded).toBe(6);
  const counts = await queryDb(
    dbPath,
    'SELECT count(*) AS n, count(*) FILTER (WHERE _matched) AS matched FROM scored',
  );
  expect(counts).toEqual([{ n: '6', matched: '6' }]);
  const rows = await queryDb(
    dbPath,
    `SELECT _correlation_id, _row, sepal, note, width, label, _date::VARCHAR AS d, _ts::VARCHAR AS ts
     FROM scored ORDER BY _date, _correlation_id, _row`,
  );
  expect(rows[0]).toEqual({
    _correlation_id: 'c1',
    _row: '0',
    sepal: 5.1,
    note: 'a, b',
    width: null,
    label: 'setosa',
    d: '2024-01-01',
    ts: '2024-01-01 10:00:00.123456',
  });
  expect(rows[1]).toMatchObject({ _correlation_id: 'c1', _row: '1', note: 'café' });
  expect(rows[2]).toMatchObject({ _correlation_id: 'c2', note: 'say "hi"', label: 'versicolor' });
  expect(rows[5]).toMatchObject({ _correlation_id: 'c5', width: 0.3, label: 'virginica' });
  const types = await queryDb(
    dbPath,
    `SELECT column_name, data_type FROM duckdb_columns()
     WHERE schema_name = 'main' AND table_name = 'inputs' AND column_name IN ('sepal', 'note', '$aml_dc_boundary') ORDER BY column_name`,
  );
  expect(types).toEqual([
    { column_name: '$aml_dc_boundary', data_type: 'BIGINT' },
    { column_name: 'note', data_type: 'VARCHAR' },
    { column_name: 'sepal', data_type: 'DOUBLE' },
  ]);
});

test('Workbench: headerless numpy predictions join on $RequestId (or $CorrelationId) and row', async () => {
  const { result, dbPath } = await pullArchive('workbench', WORKBENCH_ARCHIVE);
  expect(result.rowsByTable).toEqual({ inputs: 4, predictions: 4 });
  const rows = await queryDb(
    dbPath,
    `SELECT _correlation_id, _row, "sepal length" AS s, "0" AS p, _matched FROM scored
     ORDER BY _ts, _row`,
  );
  expect(rows).toEqual([
    { _correlation_id: 'r1', _row: '0', s: 5.1, p: '0', _matched: true },
    { _correlation_id: 'r1', _row: '1', s: 4.9, p: '0', _matched: true },
    { _correlation_id: 'r2', _row: '0', s: 6.2, p: '1', _matched: true },
    { _correlation_id: 'cid-7', _row: '0', s: 5, p: '0', _matched: true },
  ]);
});

test('v2: data arrays exploded with their index, dataref fetched, request left out', async () => {
  const { result, dbPath } = await pullArchive('v2', V2_ARCHIVE);
  expect(result.rowsByTable).toEqual({ inputs: 5, predictions: 5 });
  const rows = await queryDb(
    dbPath,
    `SELECT _model, _model_version, _correlation_id AS c, _row, sepal, petal, path, extra, label
     FROM scored ORDER BY c, _row`,
  );
  expect(rows).toEqual([
    {
      _model: 'blue',
      _model_version: 'default',
      c: 'e1',
      _row: '0',
      sepal: 5.1,
      petal: 1.4,
      path: 'a/b',
      extra: null,
      label: 'setosa',
    },
    {
      _model: 'blue',
      _model_version: 'default',
      c: 'e1',
      _row: '1',
      sepal: 4.9,
      petal: null,
      path: 'c/d',
      extra: null,
      label: 'setosa',
    },
    {
      _model: 'blue',
      _model_version: 'default',
      c: 'e2',
      _row: '0',
      sepal: 6.2,
      petal: 4.5,
      path: null,
      extra: true,
      label: 'versicolor',
    },
    {
      _model: 'blue',
      _model_version: 'default',
      c: 'e3',
      _row: '0',
      sepal: 5,
      petal: 1.5,
      path: 'e',
      extra: null,
      label: 'setosa',
    },
    {
      _model: 'blue',
      _model_version: 'default',
      c: 'e3',
      _row: '1',
      sepal: 5.2,
      petal: 1.6,
      path: 'f',
      extra: null,
      label: 'virginica',
    },
  ]);
  const tables = await queryDb(
    dbPath,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name NOT IN ('mdq_manifest', 'scored') ORDER BY 1",
  );
  expect(tables).toEqual([{ table_name: 'inputs' }, { table_name: 'predictions' }]);
});

test('a value the sampled types do not fit (past the sample) loads exactly, never as NULL or rounded', async () => {
  const header = '$aml_dc_correlation_id,n,flag';
  const rows = Array.from({ length: 25_000 }, (_, i) => `r${i},${i},true`);
  rows.push('last,5.5,maybe');
  const { result, dbPath } = await pullArchive('past-sample', {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv': `${header}\n${rows.join('\n')}\n`,
  });
  expect(result.rowsByTable).toEqual({ inputs: 25_001 });
  expect(
    await queryDb(
      dbPath,
      "SELECT n, flag, typeof(n) AS t FROM inputs WHERE _correlation_id IN ('r24999', 'last') ORDER BY n",
    ),
  ).toEqual([
    { n: 5.5, flag: 'maybe', t: 'DOUBLE' },
    { n: 24999, flag: 'true', t: 'DOUBLE' },
  ]);
});

test('a blob DuckDB cannot read is quarantined with its reason; its batch-mates load', async () => {
  const { result, dbPath } = await pullArchive('duckdb-refuses', {
    'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/01/labels.csv': 'a,b\n1,"x"y\n',
    'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/02/labels.csv': 'a,b\n2,ok\n',
  });
  expect(result.rowsByTable).toEqual({ labels: 1 });
  expect(result.quarantined).toHaveLength(1);
  expect(result.quarantined[0]?.reason).toMatch(
    /^sub1\/rg1\/ws1\/irisapp\/iris\/3\/labels\/2024\/01\/01\/labels\.csv cannot be read: /,
  );
  expect(result.quarantined[0]?.reason).not.toContain('.staging');
  expect(await queryDb(dbPath, 'SELECT a, b FROM labels')).toEqual([{ a: '2', b: 'ok' }]);
});

test('a line longer than the read buffer (a 9 MB value) loads whole, in a batch with short lines', async () => {
  const header = '$aml_dc_correlation_id,payload';
  const big = 'x'.repeat(9 * 1024 * 1024);
  const { result, dbPath } = await pullArchive('long-line', {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv': `${header}\nbig,"${big}"\nsmall,y\n`,
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/02/inputs.csv': `${header}\nother,z\n`,
  });
  expect(result.quarantined).toEqual([]);
  expect(result.rowsByTable).toEqual({ inputs: 3 });
  expect(
    await queryDb(
      dbPath,
      'SELECT _correlation_id AS id, length(payload)::INTEGER AS n FROM inputs ORDER BY _correlation_id',
    ),
  ).toEqual([
    { id: 'big', n: big.length },
    { id: 'other', n: 1 },
    { id: 'small', n: 1 },
  ]);
});

test('a blob that streams in many chunks loads every row exactly (staged output is copied per chunk)', async () => {
  // ~700 KB: staged in memory (under 1 MiB), read in 64 KB chunks; the stager reuses its output
  // buffer from chunk to chunk, so a sink that kept a view instead of a copy would corrupt rows.
  const header = '$aml_dc_correlation_id,n,text';
  const rows = Array.from({ length: 20_000 }, (_, i) => `k${i},${i},row-${i}-${'x'.repeat(i % 7)}`);
  const { result, dbPath } = await pullArchive('many-chunks', {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv': `${header}\n${rows.join('\n')}\n`,
  });
  expect(result.rowsByTable).toEqual({ inputs: 20_000 });
  const expectedText = rows.reduce((sum, line) => sum + (line.split(',')[2]?.length ?? 0), 0);
  expect(
    await queryDb(
      dbPath,
      `SELECT sum(n)::BIGINT::VARCHAR AS n, sum(length(text))::BIGINT::VARCHAR AS chars,
        count(*) FILTER (WHERE text <> 'row-' || n::BIGINT || '-' || repeat('x', (n::BIGINT % 7)::INTEGER))::INTEGER AS wrong
        FROM inputs`,
    ),
  ).toEqual([{ n: String((19_999 * 20_000) / 2), chars: String(expectedText), wrong: 0 }]);
});

test('numeric correlation ids stay text, so rows loaded the fast and the careful way still join', async () => {
  // Inputs load the typed way in a first pull; predictions come later with a value past the
  // stager's sample that sends their batch the careful way. A key read as a number would show
  // as '7.0' on one side and '7' on the other, and nothing would match.
  const day = 'sub1/rg1/ws1/irisapp/iris/3/%s/2024/01/01/%s.csv';
  const ids = Array.from({ length: 300 }, (_, i) => String(i + 7));
  const inputs = `x,$aml_dc_correlation_id\n${ids.map((id) => `${id},${id}`).join('\n')}\n`;
  const scores = ids.map((id, i) => `${i === ids.length - 1 ? 'n/a' : i},${id}`);
  const predictions = `score,$aml_dc_correlation_id\n${scores.join('\n')}\n`;
  const { dbPath, pullMore } = archivePulls('numeric-keys');
  const inputsPull = await pullMore({ [day.replaceAll('%s', 'inputs')]: inputs });
  expect(inputsPull.rowsByTable).toEqual({ inputs: 300 });
  const predictionsPull = await pullMore({ [day.replaceAll('%s', 'predictions')]: predictions });
  expect(predictionsPull.rowsByTable).toEqual({ predictions: 300 });

  expect(
    await queryDb(
      dbPath,
      `SELECT count(*) FILTER (WHERE _matched)::INTEGER AS matched,
         min(_correlation_id) FILTER (WHERE x = 7) AS first_key,
         any_value(typeof("$aml_dc_correlation_id")) AS key_type,
         any_value(typeof(x)) AS x_type
       FROM scored`,
    ),
  ).toEqual([{ matched: 300, first_key: '7', key_type: 'VARCHAR', x_type: 'BIGINT' }]);
});

test('the key comes from the first non-empty key column, matched in any case; "" is no key', async () => {
  // No collector writes AKS's and Workbench's key columns into one file; if one does, each
  // row's key is the first non-empty of them, and its _row counts within that key.
  const { dbPath } = await pullArchive('key-columns', {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv':
      'n,$AML_DC_CORRELATION_ID,$CorrelationId,$RequestId\n' +
      '1,a1,,\n2,,c1,r1\n3,,,r1\n4,a1,c9,r9\n5,"",,""\n6,,"",r2\n',
  });
  expect(
    await queryDb(
      dbPath,
      `SELECT n, _correlation_id AS k, _row, "$AML_DC_CORRELATION_ID" AS aks FROM inputs ORDER BY n`,
    ),
  ).toEqual([
    { n: '1', k: 'a1', _row: '0', aks: 'a1' },
    { n: '2', k: 'c1', _row: '0', aks: null },
    { n: '3', k: 'r1', _row: '0', aks: null },
    { n: '4', k: 'a1', _row: '1', aks: 'a1' },
    { n: '5', k: null, _row: '0', aks: null },
    { n: '6', k: 'r2', _row: '0', aks: null },
  ]);
});

test('rows that stored their key (databases from earlier versions) keep it and join new rows', async () => {
  const { dbPath, pullMore } = archivePulls('stored-keys');
  const folder = (role: string, day: number) =>
    `sub1/rg1/ws1/irisapp/iris/3/${role}/2024/01/0${day}/${role}.csv`;
  await pullMore({
    [folder('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    [folder('predictions', 1)]: 'y,$aml_dc_correlation_id\n10,k1\n20,k2\n',
    [folder('labels', 1)]: 'label,$aml_dc_correlation_id\nok,7\n',
  });
  // What earlier versions stored: a copy of every key, and keys typed like any column (a
  // number as '7.0'). The views must show the stored key, even where the column disagrees.
  const db = await openDatabase(dbPath);
  try {
    for (const sql of [
      `UPDATE mdq_data.inputs SET _correlation_id = CASE x WHEN 2 THEN 'old2' ELSE "$aml_dc_correlation_id" END`,
      `UPDATE mdq_data.predictions SET _correlation_id = CASE y WHEN 20 THEN 'old2' ELSE "$aml_dc_correlation_id" END`,
      `ALTER TABLE mdq_data.labels ALTER "$aml_dc_correlation_id" TYPE BIGINT`,
      `UPDATE mdq_data.labels SET _correlation_id = '7.0'`,
    ]) {
      await db.connection.run(sql);
    }
  } finally {
    db.close();
  }
  const later = await pullMore({
    [folder('inputs', 2)]: 'x,$aml_dc_correlation_id\n3,k3\n',
    [folder('predictions', 2)]: 'y,$aml_dc_correlation_id\n30,k3\n',
  });
  expect(later.rowsByTable).toEqual({ inputs: 1, predictions: 1 });
  expect(
    await queryDb(dbPath, 'SELECT x, _correlation_id AS k, y, _matched FROM scored ORDER BY x'),
  ).toEqual([
    { x: '1', k: 'k1', y: '10', _matched: true },
    { x: '2', k: 'old2', y: '20', _matched: true },
    { x: '3', k: 'k3', y: '30', _matched: true },
  ]);
  expect(await queryDb(dbPath, 'SELECT _correlation_id AS k FROM labels')).toEqual([{ k: '7.0' }]);
});
