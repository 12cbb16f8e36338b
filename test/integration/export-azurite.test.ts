import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { runMdq } from '../helpers/run-cli.js';
import { INPUT_ROWS, makeFixtureDb, PREDICTIONS } from './sql-fixture.js';

let fixture: Awaited<ReturnType<typeof makeFixtureDb>>;
let azurite: Azurite;
beforeAll(async () => {
  fixture = await makeFixtureDb();
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  await fixture?.cleanup();
});

const EXPECTED = INPUT_ROWS.map((row) => ({
  id: `${row.correlationId}/${row.row}`,
  date: row.date,
  label: PREDICTIONS[`${row.correlationId}/${row.row}`] ?? null,
})).sort((a, b) => a.id.localeCompare(b.id));

test('export --out <Azurite URL> --partition-by uploads hive folders that read back equal', async () => {
  const container = await azurite.createContainer('export');
  const out = `${azurite.blobEndpoint}/${container}/exports/scored`;
  const result = await runMdq(
    [
      'export',
      '--db',
      fixture.dbPath,
      '--out',
      out,
      '--partition-by',
      '_date',
      '--concurrency',
      '2',
    ],
    { env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString } },
  );
  expect(result.stderr).toContain('exported 5 rows to 3 blobs');
  expect(result.code).toBe(0);
  // Azurite has no dfs endpoint for Spark: the abfss:// statement is for real Azure only.
  expect(result.stderr).not.toContain('abfss://');
  expect(result.stderr).not.toContain('AccountKey');

  // Download every blob with the SDK (not mdq's store) and read it with two readers.
  const client = BlobServiceClient.fromConnectionString(
    azurite.connectionString,
  ).getContainerClient(container);
  const local = join(fixture.dir, 'downloaded');
  const fromHyparquet: typeof EXPECTED = [];
  const names: string[] = [];
  for await (const blob of client.listBlobsFlat({ prefix: 'exports/scored/' })) {
    names.push(blob.name);
    const buffer = await client.getBlobClient(blob.name).downloadToBuffer();
    const file = join(local, blob.name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, buffer);
    const date = /_date=([0-9-]+)\//.exec(blob.name)?.[1] ?? '';
    const arrayBuffer = buffer.buffer.slice(
      buffer.byteOffset,
      buffer.byteOffset + buffer.byteLength,
    ) as ArrayBuffer;
    for (const row of (await parquetReadObjects({ file: arrayBuffer })) as Record<
      string,
      unknown
    >[]) {
      fromHyparquet.push({
        id: `${row._correlation_id}/${row._row}`,
        date,
        label: (row.label as string | null) ?? null,
      });
    }
  }
  expect(names.map((name) => dirname(name)).sort()).toEqual([
    'exports/scored/_date=2024-01-01',
    'exports/scored/_date=2024-01-02',
    'exports/scored/_date=2024-01-03',
  ]);
  expect(fromHyparquet.sort((a, b) => a.id.localeCompare(b.id))).toEqual(EXPECTED);

  const db = await openDatabase(join(fixture.dir, 'reader.duckdb'));
  try {
    const reader = await db.connection.runAndReadAll(
      `select _correlation_id || '/' || _row as id, _date::varchar as date, label from read_parquet('${local}/exports/scored/**/*.parquet', hive_partitioning = true) order by id`,
    );
    expect(reader.getRowObjectsJson()).toEqual(EXPECTED);
  } finally {
    db.close();
  }
});

test('export --out az://<container>/<file>.csv uploads one blob', async () => {
  const container = await azurite.createContainer('export');
  const result = await runMdq(
    [
      'export',
      '--db',
      fixture.dbPath,
      '--out',
      `az://${container}/one/scored.csv`,
      '--query',
      'select _correlation_id from inputs order by 1, _row',
    ],
    { env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString } },
  );
  expect(result.code).toBe(0);
  expect(result.stderr).not.toContain('abfss://');
  const client = BlobServiceClient.fromConnectionString(
    azurite.connectionString,
  ).getContainerClient(container);
  const text = (await client.getBlobClient('one/scored.csv').downloadToBuffer()).toString('utf8');
  expect(text).toBe(`_correlation_id\n${INPUT_ROWS.map((row) => row.correlationId).join('\n')}\n`);
});
