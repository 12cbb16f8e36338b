import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { queryRows } from '../../src/query/run.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * One value format for `mdq sql` and `mdq export` (issue 15): every type a table can hold,
 * written by both commands, compared byte for byte, and against the format's own spelling.
 */
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let dbPath: string;

const COLUMNS = `id, b, ti, bi, hi, ub, dec, dsmall, f, d, s, bl, dt, tm, ttz, ts, tss, tsms, tsns,
  tstz, iv, u, en, li, lts, st, mp, arr, js, bn, bt`;

beforeAll(async () => {
  tmp = await makeTmpDir('mdq-values-');
  dbPath = join(tmp.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run(`create type mood as enum ('calm', 'busy')`);
    await db.connection.run(`create table types as select * from (values
      (1, true, 42::tinyint, 9007199254740993::bigint, 170141183460469231731687303715884105727::hugeint,
       18446744073709551615::ubigint, 12345678901234567890.25::decimal(38,2), -0.5::decimal(4,1),
       1.1::float, 7.0::double, 'a,"b"' || chr(10) || 'c', '\\xAA\\x00z'::blob, date '2024-02-29',
       time '03:04:05.25', timetz '03:04:05+05:30', timestamp '2024-01-02 03:04:05.5',
       timestamp_s '2024-01-02 03:04:05', timestamp_ms '2024-01-02 03:04:05.12',
       timestamp_ns '2024-01-02 03:04:05.123456789', timestamptz '2024-01-02 03:04:05.5+00',
       interval '1 day 2 hours', uuid '4494ff68-1e54-4be1-8fba-544b19d767d7', 'busy'::mood,
       [1, 2], [timestamp '2024-01-01 10:00:00'],
       {'a': 1, 't': timestamp '2024-01-01 10:00:00', 'd': 'nan'::double},
       map {'k': interval '90 minutes'}, [1, 2]::integer[2], '{"x": [1, 2]}'::json,
       123456789012345678901234567890::bignum, '1010'::bit),
      (2, false, -1::tinyint, -1::bigint, -1::hugeint, 0::ubigint, 0::decimal(38,2),
       0::decimal(4,1), 'inf'::float, 'nan'::double, '', ''::blob, date '1970-01-01',
       time '00:00:00', timetz '00:00:00+00', timestamp 'infinity', timestamp_s '1970-01-01 00:00:00',
       timestamp_ms '1970-01-01', timestamp_ns '1970-01-01', timestamptz '-infinity',
       interval '-13 months -0.5 seconds', uuid '00000000-0000-0000-0000-000000000000',
       'calm'::mood, [], [], {'a': NULL, 't': NULL, 'd': '-inf'::double}, map {},
       [NULL, 3]::integer[2], 'null'::json, -1::bignum, '0'::bit),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-inf'::double, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL)
    ) t(${COLUMNS})`);
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await tmp?.cleanup();
});

const QUERY = 'select * from types order by id';

/** The format itself (README, "Value format"), row by row. */
const EXPECTED_CSV = [
  'id,b,ti,bi,hi,ub,dec,dsmall,f,d,s,bl,dt,tm,ttz,ts,tss,tsms,tsns,tstz,iv,u,en,li,lts,st,mp,arr,js,bn,bt',
  '1,true,42,9007199254740993,170141183460469231731687303715884105727,18446744073709551615,' +
    '12345678901234567890.25,-0.5,1.1,7.0,"a,""b""\nc",\\xAA\\x00z,2024-02-29,03:04:05.25,' +
    '03:04:05+05:30,2024-01-02T03:04:05.5,2024-01-02T03:04:05,2024-01-02T03:04:05.12,' +
    '2024-01-02T03:04:05.123456789,2024-01-02T03:04:05.5Z,P1DT2H,' +
    '4494ff68-1e54-4be1-8fba-544b19d767d7,busy,"[1,2]","[""2024-01-01T10:00:00""]",' +
    '"{""a"":1,""t"":""2024-01-01T10:00:00"",""d"":""NaN""}","{""k"":""PT1H30M""}","[1,2]",' +
    '"{""x"": [1, 2]}",123456789012345678901234567890,1010',
  '2,false,-1,-1,-1,0,0.00,0.0,Infinity,NaN,"","",1970-01-01,00:00:00,00:00:00+00,infinity,' +
    '1970-01-01T00:00:00,1970-01-01T00:00:00,1970-01-01T00:00:00,-infinity,P-1Y-1MT-0.5S,' +
    '00000000-0000-0000-0000-000000000000,calm,[],[],' +
    '"{""a"":null,""t"":null,""d"":""-Infinity""}",{},"[null,3]",null,-1,0',
  `3${','.repeat(9)}-Infinity${','.repeat(21)}`,
  '',
].join('\n');

test('sql --format csv writes every type in the format, and export --format csv the same bytes', async () => {
  const sql = await runMdq(['sql', '--db', dbPath, '--format', 'csv', QUERY]);
  expect(sql.stderr).toBe('');
  expect(sql.stdout).toBe(EXPECTED_CSV);

  const out = join(tmp.path, 'export.csv');
  const exported = await runMdq(['export', '--db', dbPath, '--query', QUERY, '--out', out]);
  expect(exported.code).toBe(0);
  expect(await readFile(out, 'utf8')).toBe(EXPECTED_CSV);
});

test('json and ndjson hold the same values as the CSV: strings equal, numbers digit for digit', async () => {
  const csv = parse(EXPECTED_CSV, { columns: true }) as Record<string, string>[];
  const ndjson = await runMdq(['sql', '--db', dbPath, '--format', 'ndjson', QUERY]);
  const json = await runMdq(['sql', '--db', dbPath, '--format', 'json', QUERY]);
  expect(ndjson.stderr + json.stderr).toBe('');
  const lines = ndjson.stdout.trimEnd().split('\n');
  expect(json.stdout).toBe(`[\n\t${lines.join(',\n\t')}\n]\n`);
  lines.forEach((line, index) => {
    // The exact text of each number, per object it sits in (the row's own are checked below).
    const sources = new Map<object, Record<string, string>>();
    const row = JSON.parse(
      line,
      function (this: object, key, value, context?: { source?: string }) {
        if (context?.source !== undefined) {
          sources.set(this, { ...sources.get(this), [key]: context.source });
        }
        return value;
      },
    ) as Record<string, unknown>;
    for (const [column, value] of Object.entries(row)) {
      const text = csv[index]?.[column];
      if (value === null) {
        // NULL is an empty CSV field; JSON's own null (the json column) is the text `null`.
        expect(text === '' || text === 'null', column).toBe(true);
      } else if (typeof value === 'string') {
        expect(value, column).toBe(text === '""' ? '' : text);
      } else if (typeof value === 'number') {
        expect(sources.get(row)?.[column], column).toBe(text);
      } else if (typeof value === 'boolean') {
        expect(String(value), column).toBe(text);
      } else {
        expect(value, column).toEqual(JSON.parse(text ?? ''));
      }
    }
  });
  const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  expect(first).toMatchObject({
    f: 1.1,
    tstz: '2024-01-02T03:04:05.5Z',
    iv: 'P1DT2H',
    st: { a: 1, t: '2024-01-01T10:00:00', d: 'NaN' },
    mp: { k: 'PT1H30M' },
    js: { x: [1, 2] },
  });
  expect(JSON.parse(lines[1] ?? '')).toMatchObject({ f: 'Infinity', d: 'NaN', s: '', bl: '' });
});

test('-o writes the very bytes stdout gets, in every text format (there DuckDB writes the file itself)', async () => {
  for (const format of ['csv', 'json', 'ndjson']) {
    const file = join(tmp.path, `out.${format}`);
    const toFile = await runMdq(['sql', '--db', dbPath, '--format', format, QUERY, '-o', file]);
    const toStdout = await runMdq(['sql', '--db', dbPath, '--format', format, QUERY]);
    expect(toFile.stdout + toFile.stderr).toBe('');
    expect(await readFile(file, 'utf8')).toBe(toStdout.stdout);
  }
});

test('rows converted in JavaScript (table view, statements other than a SELECT) spell intervals the same', async () => {
  const intervals = [
    "interval '1 day 2 hours'",
    "interval '0 seconds'",
    "interval '-13 months -0.5 seconds'",
    "interval '1 year 2 months 3 days 4 hours 5 minutes 6.000001 seconds'",
    "interval '100 hours'",
    "interval '1 day -1 second'",
  ];
  const select = `select * from (values ${intervals.map((i, n) => `(${n}, ${i})`).join(', ')}) t(n, iv) order by n`;
  const db = await openDatabase(dbPath, { mustExist: true });
  let converted: string[];
  try {
    converted = (await queryRows(db.connection, select)).rows.map((row) => String(row[1]));
  } finally {
    db.close();
  }
  const written = await runMdq(['sql', '--db', dbPath, '--format', 'csv', select]);
  expect(written.stdout.trimEnd().split('\n').slice(1)).toEqual(
    converted.map((text, n) => `${n},${text}`),
  );
  expect(converted).toEqual([
    'P1DT2H',
    'PT0S',
    'P-1Y-1MT-0.5S',
    'P1Y2M3DT4H5M6.000001S',
    'PT100H',
    'P1DT-1S',
  ]);
});

test('a query with duplicate column names, a trailing comment and ORDER BY keeps its rows and names', async () => {
  const result = await runMdq([
    'sql',
    '--db',
    dbPath,
    '--format',
    'csv',
    'select id as x, ts as x from types order by id desc -- newest first\n;',
  ]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('x,x:1\n3,\n2,infinity\n1,2024-01-02T03:04:05.5\n');
});
