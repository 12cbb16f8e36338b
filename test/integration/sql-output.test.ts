import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runMdq } from '../helpers/run-cli.js';
import { INPUT_ROWS, makeFixtureDb } from './sql-fixture.js';

let fixture: Awaited<ReturnType<typeof makeFixtureDb>>;
beforeAll(async () => {
  fixture = await makeFixtureDb();
});
afterAll(async () => {
  await fixture.cleanup();
});

const QUERY =
  'select _service, _date, _ts, _correlation_id, _row, x, note from inputs order by _date, _correlation_id, _row';

/** What each row must look like in the lossless formats: the fixture's literals. */
const EXPECTED = INPUT_ROWS.map((row) => ({
  _service: row.service,
  _date: row.date,
  _ts: row.ts,
  _correlation_id: row.correlationId,
  _row: row.row,
  x: row.x,
  note: row.note,
}));

function sql(argv: string[], options: Parameters<typeof runMdq>[1] = {}) {
  return runMdq(['sql', '--db', fixture.dbPath, ...argv], options);
}

/** A DOUBLE as DuckDB (and so mdq's CSV) writes it: `7.0`, not JavaScript's `7`. */
function doubleText(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

test('csv output parses with csv-parse into the query result, NULL and "" kept apart', async () => {
  const result = await sql([QUERY, '--format', 'csv']);
  expect(result.code).toBe(0);
  const records = parse(result.stdout, { columns: true, cast: false }) as Record<string, string>[];
  expect(records).toEqual(
    EXPECTED.map((row) => ({
      ...row,
      _row: String(row._row),
      x: doubleText(row.x),
      note: row.note ?? '',
    })),
  );
  // csv-parse reads both as '', so check the raw text: NULL is an empty field, '' is quoted.
  const lines = result.stdout.split('\n');
  expect(lines.some((line) => line.endsWith(',7.0,""'))).toBe(true);
  expect(lines.some((line) => line.endsWith(',1.5,'))).toBe(true);
});

test('ndjson is the default when stdout is piped, one JSON.parse per line', async () => {
  const result = await sql([QUERY]);
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  expect(lines.map((line) => JSON.parse(line))).toEqual(EXPECTED);
});

test('json is one array equal to the query result', async () => {
  const result = await sql([QUERY, '--format', 'json']);
  expect(JSON.parse(result.stdout)).toEqual(EXPECTED);
});

test('json: a BIGINT beyond 2^53 is written as an exact number, dates ISO', async () => {
  const result = await sql([
    "select 9007199254740993::bigint as big, 12345678901234567890.25::decimal(38,2) as dec, date '2024-02-29' as d, timestamptz '2024-01-02 03:04:05+00' as tz",
    '--format',
    'ndjson',
  ]);
  const sources: Record<string, string> = {};
  const parsed = JSON.parse(result.stdout, (key, value, context?: { source?: string }) => {
    if (key !== '' && context?.source !== undefined) {
      sources[key] = context.source;
    }
    return value;
  });
  expect(sources.big).toBe('9007199254740993');
  expect(sources.dec).toBe('12345678901234567890.25');
  expect(parsed.d).toBe('2024-02-29');
  expect(parsed.tz).toBe('2024-01-02T03:04:05Z');
});

test('markdown output is a pipe table with | and control characters escaped', async () => {
  const result = await sql(["select 'a|b' as v, 'x\u001b[31my' as w", '--format', 'markdown']);
  expect(result.stdout).toBe('| v | w |\n| --- | --- |\n| a\\|b | x\\x1b[31my |\n');
});

test('a table on a terminal escapes control characters and is uncoloured with NO_COLOR', async () => {
  const result = await sql(["select note from inputs where note like 'esc%'"], {
    tty: true,
    env: { NO_COLOR: '1' },
  });
  expect(result.code).toBe(0);
  expect(result.stdout).not.toContain('\u001b');
  expect(result.stdout).toContain('esc \\x1b[2J here');
  expect(result.stdout).toContain('┌');
});

test('a table on a terminal shows --limit rows and says on stderr how many were left out', async () => {
  const result = await sql(['select range as n from range(250)'], { tty: true });
  expect(result.stdout.match(/│\s*\d+\s*│/g)).toHaveLength(100);
  expect(result.stdout).toContain('│ 99 │');
  expect(result.stderr).toContain('100 rows shown, 150 more not shown');

  const limited = await sql(['select range as n from range(250)', '--limit', '5'], { tty: true });
  expect(limited.stderr).toContain('5 rows shown, 245 more not shown');

  const all = await sql(['select range as n from range(250)', '--all'], { tty: true });
  expect(all.stdout).toContain('│ 249 │');
  expect(all.stderr).toBe('');
});

test('a missing table: DuckDB message, the SQL with a caret, a hint naming the tables, exit 1', async () => {
  const result = await sql(['select * from inputz']);
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toEqual([
    'mdq: Catalog Error: Table with name inputz does not exist!',
    '  LINE 1: select * from inputz',
    '                        ^',
    'hint: available tables and views: inputs, mdq_manifest, predictions, scored',
  ]);
});

test('a missing database is a one-line error with a hint to pull', async () => {
  const result = await runMdq(['sql', 'select 1', '--db', `${fixture.dir}/nope.duckdb`]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('does not exist');
  expect(result.stderr).toContain('hint: run mdq pull first');
});

test('statements piped on stdin run in order, dot-commands included', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, '--format', 'csv'], {
    stdin:
      "create table t as select 1 as a;\ninsert into t values (2);\nselect a from t\n  order by a;\n.tables\nselect ';' as semi -- done;\n",
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const sections = result.stdout.split(/\n(?=[a-z_]+(?:,[a-z_]+)*\n)/);
  expect(sections).toContain('a\n1\n2');
  expect(result.stdout).toContain('name,type\ninputs,table\n');
  expect(result.stdout.endsWith('semi\n;\n')).toBe(true);
});

test('--output writes the file in the format its extension names', async () => {
  const file = `${fixture.dir}/out.csv`;
  const result = await sql([QUERY, '--output', file]);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('');
  const { readFile } = await import('node:fs/promises');
  const records = parse(await readFile(file, 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  expect(records.map((record) => record._correlation_id)).toEqual(
    EXPECTED.map((row) => row._correlation_id),
  );
});
