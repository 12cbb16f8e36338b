import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { runMdq } from '../helpers/run-cli.js';
import { INPUT_ROWS, makeFixtureDb, PREDICTIONS } from './sql-fixture.js';

let fixture: Awaited<ReturnType<typeof makeFixtureDb>>;
beforeAll(async () => {
  fixture = await makeFixtureDb();
});
afterAll(async () => {
  await fixture.cleanup();
});

/** `scored` as the fixture's literals say it must be: (correlation id, row, x, label, matched). */
const EXPECTED_SCORED = INPUT_ROWS.map((row) => {
  const label = PREDICTIONS[`${row.correlationId}/${row.row}`] ?? null;
  return {
    id: `${row.correlationId}/${row.row}`,
    date: row.date,
    x: row.x,
    label,
    matched: label !== null,
  };
}).sort((a, b) => a.id.localeCompare(b.id));

function sortById<T extends { id: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Reads with DuckDB in a fresh in-memory database (not the connection that wrote it). */
async function readWithDuckDb(glob: string, hive: boolean) {
  const db = await openDatabase(join(fixture.dir, `reader-${Math.random()}.duckdb`));
  try {
    const reader = await db.connection.runAndReadAll(
      `select _correlation_id || '/' || _row as id, _date::varchar as date, x, label, _matched as matched from read_parquet('${glob}', hive_partitioning = ${hive})`,
    );
    return sortById(
      reader.getRowObjectsJson() as {
        id: string;
        date: string;
        x: number;
        label: string | null;
        matched: boolean;
      }[],
    );
  } finally {
    db.close();
  }
}

async function readWithHyparquet(file: string) {
  const buffer = await readFile(file);
  const arrayBuffer = buffer.buffer.slice(
    buffer.byteOffset,
    buffer.byteOffset + buffer.byteLength,
  ) as ArrayBuffer;
  return (await parquetReadObjects({ file: arrayBuffer })) as Record<string, unknown>[];
}

test('export of scored to one Parquet file reads back equal with DuckDB and hyparquet', async () => {
  const out = join(fixture.dir, 'merged.parquet');
  const result = await runMdq(['export', '--db', fixture.dbPath, '--out', out]);
  expect(result.stderr).toContain('exported 5 rows');
  expect(result.code).toBe(0);

  expect(await readWithDuckDb(out, false)).toEqual(EXPECTED_SCORED);
  const rows = await readWithHyparquet(out);
  const fromHyparquet = sortById(
    rows.map((row) => ({
      id: `${row._correlation_id}/${row._row}`,
      date: (row._date as Date).toISOString().slice(0, 10),
      x: row.x as number,
      label: (row.label as string | null) ?? null,
      matched: row._matched as boolean,
    })),
  );
  expect(fromHyparquet).toEqual(EXPECTED_SCORED);
  expect((await readdir(fixture.dir)).filter((name) => name.startsWith('.mdq-tmp-'))).toEqual([]);
});

test('--partition-by _date,_identifier writes hive folders that read back equal', async () => {
  const out = join(fixture.dir, 'hive');
  const result = await runMdq([
    'export',
    '--db',
    fixture.dbPath,
    '--out',
    out,
    '--partition-by',
    '_date,_identifier',
  ]);
  expect(result.code).toBe(0);
  const names = (await readdir(out)).sort();
  // The marker beside the partitions is what lets a later --overwrite replace them.
  expect(names).toEqual([
    '_date=2024-01-01',
    '_date=2024-01-02',
    '_date=2024-01-03',
    '_mdq_export.json',
  ]);
  const days = names.filter((name) => name.startsWith('_date='));
  expect(await readdir(join(out, '_date=2024-01-02'))).toEqual(['_identifier=inputs']);

  expect(await readWithDuckDb(`${out}/**/*.parquet`, true)).toEqual(EXPECTED_SCORED);

  // hyparquet reads each file; the partition values come from the folder names, as in Spark.
  const fromHyparquet: typeof EXPECTED_SCORED = [];
  for (const day of days) {
    const folder = join(out, day, '_identifier=inputs');
    for (const file of await readdir(folder)) {
      for (const row of await readWithHyparquet(join(folder, file))) {
        expect(row).not.toHaveProperty('_date');
        fromHyparquet.push({
          id: `${row._correlation_id}/${row._row}`,
          date: day.slice('_date='.length),
          x: row.x as number,
          label: (row.label as string | null) ?? null,
          matched: row._matched as boolean,
        });
      }
    }
  }
  expect(sortById(fromHyparquet)).toEqual(EXPECTED_SCORED);
});

test('--query to CSV: format from the extension, parsed by csv-parse', async () => {
  const out = join(fixture.dir, 'q.csv');
  const result = await runMdq([
    'export',
    '--db',
    fixture.dbPath,
    '--out',
    out,
    '--query',
    "select _correlation_id, note from inputs where _service = 'irisapp' order by 1, _row;",
  ]);
  expect(result.code).toBe(0);
  const records = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
  expect(records).toEqual(
    INPUT_ROWS.filter((row) => row.service === 'irisapp').map((row) => ({
      _correlation_id: row.correlationId,
      note: row.note ?? '',
    })),
  );
});

test('a failed export leaves no file behind and keeps an existing one', async () => {
  const out = join(fixture.dir, 'kept.parquet');
  expect(
    (await runMdq(['export', '--db', fixture.dbPath, '--out', out, '--table', 'inputs'])).code,
  ).toBe(0);
  const before = await readFile(out);

  const failed = await runMdq([
    'export',
    '--db',
    fixture.dbPath,
    '--out',
    out,
    '--overwrite',
    '--query',
    "select error('boom') from inputs",
  ]);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('mdq: export failed');
  expect(await readFile(out)).toEqual(before);

  const missing = join(fixture.dir, 'never.parquet');
  const bad = await runMdq(['export', '--db', fixture.dbPath, '--out', missing, '--table', 'nope']);
  expect(bad.code).toBe(1);
  const names = await readdir(fixture.dir);
  expect(names).not.toContain('never.parquet');
  expect(names.filter((name) => name.startsWith('.mdq-tmp-'))).toEqual([]);
});
