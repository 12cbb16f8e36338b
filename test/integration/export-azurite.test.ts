import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BlobServiceClient,
  type ContainerClient,
  ContainerSASPermissions,
} from '@azure/storage-blob';
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
    if (blob.name === 'exports/scored/_mdq_export.json') {
      continue; // the export's marker, which Spark skips as it skips every `_` name
    }
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

// What export does with what is already under its prefix (issue 14.1): no foreign blob is touched.

function exportTo(out: string, ...args: string[]) {
  return runMdq(['export', '--db', fixture.dbPath, '--out', out, ...args], {
    env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
  });
}

async function container(): Promise<{ name: string; client: ContainerClient }> {
  const name = await azurite.createContainer('targets');
  const client = BlobServiceClient.fromConnectionString(
    azurite.connectionString,
  ).getContainerClient(name);
  return { name, client };
}

async function put(client: ContainerClient, name: string, text: string): Promise<void> {
  await client.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
}

async function names(client: ContainerClient, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const blob of client.listBlobsFlat({ prefix })) {
    found.push(blob.name);
  }
  return found.sort();
}

async function text(client: ContainerClient, name: string): Promise<string> {
  return (await client.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

test('a prefix holding blobs mdq did not write is refused, with or without --overwrite', async () => {
  const { name, client } = await container();
  await put(client, 'exports/keep.csv', 'mine');
  const plain = await exportTo(`az://${name}/exports`, '--partition-by', '_date');
  expect(plain.code).toBe(1);
  expect(plain.stderr).toContain(
    `mdq: --out az://${name}/exports already exists\nhint: pass --overwrite`,
  );
  const forced = await exportTo(`az://${name}/exports`, '--partition-by', '_date', '--overwrite');
  expect(forced.code).toBe(1);
  expect(forced.stderr).toContain('was not written by mdq export (no _mdq_export.json)');
  expect(await names(client)).toEqual(['exports/keep.csv']);
  expect(await text(client, 'exports/keep.csv')).toBe('mine');
});

test('the container root of a collector archive is refused', async () => {
  const { name, client } = await container();
  await put(client, 'irisapp/inputs/2024/01/01/data.csv', 'a\n1\n');
  const result = await exportTo(`az://${name}`, '--partition-by', '_date', '--overwrite');
  expect(result.code).toBe(1);
  expect(await names(client)).toEqual(['irisapp/inputs/2024/01/01/data.csv']);
});

test('--overwrite replaces an earlier export under a prefix: its blobs go, nothing else', async () => {
  const { name, client } = await container();
  await put(client, 'exports-other/keep.csv', 'beside, not under');
  const out = `az://${name}/exports`;
  expect((await exportTo(out, '--partition-by', '_date')).code).toBe(0);
  const first = await names(client, 'exports/');
  expect(first).toHaveLength(4);
  expect(first).toContain('exports/_mdq_export.json');

  const again = await exportTo(out, '--partition-by', '_date');
  expect(again.code).toBe(1);
  expect(await names(client, 'exports/')).toEqual(first);

  const narrower = "select * from scored where _date = '2024-01-02'";
  const forced = await exportTo(out, '--partition-by', '_date', '--query', narrower, '--overwrite');
  expect(forced.stderr).toContain('exported 2 rows to 1 blobs');
  expect(forced.code).toBe(0);
  const second = await names(client, 'exports/');
  expect(second).toHaveLength(2);
  expect(second[0]).toMatch(/^exports\/_date=2024-01-02\/data_0_[0-9a-f]{8}\.parquet$/);
  const marker = JSON.parse(await text(client, 'exports/_mdq_export.json'));
  expect(marker.files.map((file: { path: string }) => `exports/${file.path}`)).toEqual([second[0]]);
  expect(marker.pending).toEqual([]);
  expect(await text(client, 'exports-other/keep.csv')).toBe('beside, not under');
});

test('a blob added inside an earlier export stops --overwrite; a pending one of mdq goes', async () => {
  const { name, client } = await container();
  const out = `az://${name}/exports`;
  expect((await exportTo(out, '--partition-by', '_date')).code).toBe(0);
  await put(client, 'exports/_date=2024-01-01/notes.txt', 'mine');
  const before = await names(client);
  const refused = await exportTo(out, '--partition-by', '_date', '--overwrite');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    'holds _date=2024-01-01/notes.txt, which mdq export did not write',
  );
  expect(await names(client)).toEqual(before);

  // An upload cut short leaves blobs its marker lists as pending: the next overwrite removes them.
  await client.getBlobClient('exports/_date=2024-01-01/notes.txt').delete();
  const marker = JSON.parse(await text(client, 'exports/_mdq_export.json'));
  await put(client, 'exports/_date=2024-01-01/data_0_deadbeef.parquet', 'partial');
  marker.pending = ['_date=2024-01-01/data_0_deadbeef.parquet'];
  await put(client, 'exports/_mdq_export.json', JSON.stringify(marker));
  const resumed = await exportTo(out, '--partition-by', '_date', '--overwrite');
  expect(resumed.code).toBe(0);
  expect(await names(client, 'exports/')).not.toContain(
    'exports/_date=2024-01-01/data_0_deadbeef.parquet',
  );
  expect(await names(client, 'exports/')).toHaveLength(4);
});

test("one blob: a user's is refused, mdq's own is replaced with --overwrite; no SAS is printed", async () => {
  const { name, client } = await container();
  await put(client, 'one/user.csv', 'mine');
  const sasUrl = await client.generateSasUrl({
    permissions: ContainerSASPermissions.parse('racwdl'),
    expiresOn: new Date(Date.now() + 3_600_000),
  });
  const [base, sas] = sasUrl.split('?');
  const refused = await exportTo(
    `${base}/one/user.csv?${sas}`,
    '--query',
    'select 1 as v',
    '--overwrite',
  );
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    '/one/user.csv was not written by mdq export (no .user.csv.mdq-export.json)',
  );
  expect(refused.stderr).not.toContain('sig=');
  expect(await text(client, 'one/user.csv')).toBe('mine');

  expect((await exportTo(`az://${name}/one/q.csv`, '--query', 'select 1 as v')).code).toBe(0);
  const again = await exportTo(`az://${name}/one/q.csv`, '--query', 'select 2 as v');
  expect(again.code).toBe(1);
  expect(await text(client, 'one/q.csv')).toBe('v\n1\n');
  const forced = await exportTo(
    `az://${name}/one/q.csv`,
    '--query',
    'select 2 as v',
    '--overwrite',
  );
  expect(forced.code).toBe(0);
  expect(await text(client, 'one/q.csv')).toBe('v\n2\n');
  expect(await names(client, 'one/')).toEqual([
    'one/.q.csv.mdq-export.json',
    'one/q.csv',
    'one/user.csv',
  ]);
});
