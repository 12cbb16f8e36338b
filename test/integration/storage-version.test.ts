import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { STORAGE_VERSION } from '../../src/query/database.js';
import { pullFolder } from '../helpers/pull-folder.js';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { writeArchive } from './pull-archives.js';

let tmp: { path: string; cleanup: () => Promise<void> };
let source: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-storage-version-');
  source = join(tmp.path, 'source');
  await writeArchive(source, {
    'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv':
      '$aml_dc_correlation_id,label\nr1,setosa\nr2,virginica\n',
  });
});
afterAll(async () => {
  await tmp.cleanup();
});

function pullInto(dbPath: string) {
  return pullFolder(source, dbPath, { lastDay: 1 });
}

async function storageVersion(dbPath: string): Promise<unknown> {
  const [row] = await queryDb(
    dbPath,
    `SELECT CAST(tags['storage_version'] AS VARCHAR) AS version
     FROM duckdb_databases() WHERE database_name = current_database()`,
  );
  return row?.version;
}

test('a new database is written in the storage format mdq pins', async () => {
  const dbPath = join(tmp.path, 'new', 'mdq.duckdb');
  await pullInto(dbPath);
  expect(await storageVersion(dbPath)).toBe(`${STORAGE_VERSION}+`);
  expect(await queryDb(dbPath, 'SELECT label FROM inputs ORDER BY label')).toEqual([
    { label: 'setosa' },
    { label: 'virginica' },
  ]);
});

test('a database made in the older default format keeps it and still takes pulls', async () => {
  const dbPath = join(tmp.path, 'old.duckdb');
  const instance = await DuckDBInstance.create(dbPath, { storage_compatibility_version: 'v1.0.0' });
  const connection = await instance.connect();
  await connection.run('CREATE TABLE notes (text VARCHAR)');
  connection.closeSync();
  instance.closeSync();

  const result = await pullInto(dbPath);
  expect(result.rowsByTable).toEqual({ inputs: 2 });
  expect(await storageVersion(dbPath)).toBe('v1.0.0+');
  expect(await queryDb(dbPath, 'SELECT count(*)::INTEGER AS n FROM scored')).toEqual([{ n: 2 }]);
});
