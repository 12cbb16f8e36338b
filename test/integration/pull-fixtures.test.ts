import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseDay } from '../../src/layout/days.js';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { SYSTEM_COLUMNS } from '../../src/query/pull/system-columns.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { makeTmpDir } from '../helpers/tmp.js';

interface TableExpectation {
  rows: number;
  blobs: number;
  columns: string[];
  rowsByDay: Record<string, number>;
}
interface Expectation {
  service: string;
  from: string;
  to: string;
  tables: Record<string, TableExpectation>;
  matched: number;
  unmatched: number;
  labeled: number;
  others?: Expectation[];
}

const LAYOUTS = ['workbench', 'aks', 'v2'] as const;
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const SYSTEM = new Set(SYSTEM_COLUMNS.map(([name]) => name));

let tmp: { path: string; cleanup: () => Promise<void> };
let azurite: Azurite;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-fixtures-');
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  await tmp?.cleanup();
});

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name !== 'EXPECTED.json')
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

async function uploadTree(root: string): Promise<string> {
  const container = await azurite.createContainer('fx');
  const client = BlobServiceClient.fromConnectionString(
    azurite.connectionString,
  ).getContainerClient(container);
  for (const name of await filesUnder(root)) {
    const content = await readFile(join(root, name));
    await client.getBlockBlobClient(name).upload(content, content.length);
  }
  return container;
}

/** What a pulled database holds, in the shape of EXPECTED.json. */
async function observe(dbPath: string, tables: string[]) {
  const db = await openDatabase(dbPath, { mustExist: true });
  const q = async (sql: string) => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  try {
    const observed: Record<string, TableExpectation> = {};
    for (const table of tables) {
      const columns = (
        await q(
          `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = '${table}'`,
        )
      )
        .map((row) => String(row.column_name))
        .filter((name) => !SYSTEM.has(name))
        .sort();
      const byDay = await q(`SELECT _date::VARCHAR AS d, count(*) AS n FROM "${table}" GROUP BY 1`);
      const blobs = await q(`SELECT count(*) AS n FROM mdq_manifest WHERE table_name = '${table}'`);
      observed[table] = {
        rows: byDay.reduce((sum, row) => sum + Number(row.n), 0),
        blobs: Number(blobs[0]?.n),
        columns,
        rowsByDay: Object.fromEntries(byDay.map((row) => [String(row.d), Number(row.n)])),
      };
    }
    const [joined] = await q(
      `SELECT count(*) FILTER (WHERE _matched) AS m, count(*) FILTER (WHERE NOT _matched) AS u,
         count(*) FILTER (WHERE _labeled) AS l FROM scored`,
    );
    return {
      tables: observed,
      matched: Number(joined?.m),
      unmatched: Number(joined?.u),
      labeled: Number(joined?.l),
    };
  } finally {
    db.close();
  }
}

async function pullInto(store: BlobStore, source: string, dbPath: string, window: Expectation) {
  return pull({
    store,
    source,
    dbPath,
    service: window.service,
    from: parseDay(window.from),
    to: parseDay(window.to),
  });
}

for (const layout of LAYOUTS) {
  test(`${layout} fixture: folder and Azurite give EXPECTED.json's tables and join`, async () => {
    const root = join(FIXTURES, layout);
    const expected = JSON.parse(await readFile(join(root, 'EXPECTED.json'), 'utf8')) as Expectation;
    const container = await uploadTree(root);
    for (const window of [expected, ...(expected.others ?? [])]) {
      const want = {
        tables: Object.fromEntries(
          Object.entries(window.tables).map(([table, t]) => [
            table,
            { rows: t.rows, blobs: t.blobs, columns: t.columns, rowsByDay: t.rowsByDay },
          ]),
        ),
        matched: window.matched,
        unmatched: window.unmatched,
        labeled: window.labeled,
      };
      const tables = Object.keys(window.tables);
      const localDb = join(tmp.path, `${layout}-${window.service}-local.duckdb`);
      const local = await pullInto(new LocalBlobStore(root), root, localDb, window);
      expect(local.quarantined).toEqual([]);
      expect(await observe(localDb, tables)).toEqual(want);

      const { store, kind } = await resolveStore(`${azurite.blobEndpoint}/${container}`, {
        connectionString: azurite.connectionString,
        env: {},
        cwd: tmp.path,
      });
      expect(kind).toBe('azure');
      const azureDb = join(tmp.path, `${layout}-${window.service}-azure.duckdb`);
      const remote = await pullInto(store, store.description, azureDb, window);
      expect(remote.rowsByTable).toEqual(local.rowsByTable);
      expect(await observe(azureDb, tables)).toEqual(want);
    }
  });
}
