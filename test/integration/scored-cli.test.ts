import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { writeArchive } from './pull-archives.js';

/**
 * Issue 16 end to end through the CLI, on the committed fixtures (fixtures/README.md): ground
 * truth in `scored`, the labels role and its reach past --to, --role, and headerless
 * multi-value prediction lines.
 */
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-scored-cli-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const pull = (source: string, db: string, service: string, from: string, to: string) => [
  'pull',
  '--source',
  source,
  '--db',
  db,
  '--service',
  service,
  '--from',
  from,
  '--to',
  to,
];

async function sqlJson(db: string, sql: string) {
  const result = await runMdq(['sql', '--db', db, '--format', 'json', sql]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}

test('late labels across a month boundary: January pulled in February finds them; --label-delay 0 does not', async () => {
  const v2 = join(FIXTURES, 'v2');
  const db = join(tmp.path, 'late.duckdb');
  const january = await runMdq(pull(v2, db, 'irisapp', '2024-01-25', '2024-01-31'));
  expect(january.code).toBe(0);
  // The two rows of 2024-01-31 are the range's only inputs; their ground truth is of 02-02.
  expect(january.stderr).toContain('labels: 2 rows, 100 % of inputs labeled\n');
  expect(
    await sqlJson(db, 'select _row, prediction, species, _labeled from scored order by _row'),
  ).toEqual([
    { _row: 0, prediction: 'setosa', species: 'setosa', _labeled: true },
    { _row: 1, prediction: 'versicolor', species: 'versicolor', _labeled: true },
  ]);

  const off = join(tmp.path, 'no-delay.duckdb');
  const none = await runMdq([
    ...pull(v2, off, 'irisapp', '2024-01-25', '2024-01-31'),
    '--label-delay',
    '0',
  ]);
  expect(none.code).toBe(0);
  expect(none.stderr).not.toContain('labels:');
  expect(await sqlJson(off, 'select count(*) filter (where _labeled) as n from scored')).toEqual([
    { n: 0 },
  ]);
  // A later pull of the same days with the default reach picks up the labels since filed.
  const again = await runMdq(pull(v2, off, 'irisapp', '2024-01-25', '2024-01-31'));
  expect(again.stderr).toContain('labels: 2 rows, 100 % of inputs labeled\n');
});

test('a v2 feedback collection is the labels role: its columns join scored; ls shows roles and the labeled share', async () => {
  const db = join(tmp.path, 'feedback.duckdb');
  const pulled = await runMdq(
    pull(join(FIXTURES, 'v2'), db, 'irisapp', '2024-01-01', '2024-01-07'),
  );
  expect(pulled.code).toBe(0);
  expect(pulled.stderr).toMatch(/\blabels 2 rows\b/);
  expect(pulled.stderr).toContain('labels: 2 rows, 11 % of inputs labeled\n');
  expect(
    await sqlJson(
      db,
      'select _correlation_id as id, rating, comment from scored where _labeled order by rating',
    ),
  ).toEqual([
    { id: expect.any(String), rating: 2, comment: 'wrong/again' },
    { id: 'order-3001', rating: 5, comment: 'spot on' },
  ]);
  const ls = await runMdq(['ls', '--db', db]);
  expect(ls.code).toBe(0);
  expect(ls.stdout).toMatch(/\n {2}feedback +labels → labels: 2 blobs, 2 rows\n/);
  expect(ls.stdout).toMatch(/\n {2}model_outputs +predictions → predictions: /);
  expect(ls.stdout).toContain('labeled share of inputs per day:\n');
  expect(ls.stdout).toContain('  2024-01-01  0 % (0 of 9 rows)\n');
  expect(ls.stdout).toContain('  2024-01-02  50 % (2 of 4 rows)\n');
});

test('--role maps an identifier to a role, is remembered by later pulls, and ls says so', async () => {
  const root = join(tmp.path, 'roles-source');
  const day = (identifier: string, d: string) =>
    `sub1/rg1/ws1/irisapp/iris/3/${identifier}/2024/01/${d}/${identifier}.csv`;
  await writeArchive(root, {
    [day('inputs', '01')]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    [day('truth', '02')]: 'verdict,$aml_dc_correlation_id\ngood,k1\n',
  });
  const db = join(tmp.path, 'roles.duckdb');
  const args = pull(root, db, 'irisapp', '2024-01-01', '2024-01-02');
  const bad = await runMdq([...args, '--role', 'truth=ground']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    'mdq: --role "truth=ground" is not <identifier>=inputs|predictions|labels',
  );
  const mapped = await runMdq([...args, '--role', 'truth=labels']);
  expect(mapped.code).toBe(0);
  expect(mapped.stderr).toContain('labels: 1 row, 50 % of inputs labeled\n');
  await writeArchive(root, { [day('truth', '03')]: 'verdict,$aml_dc_correlation_id\nbad,k2\n' });
  const later = await runMdq(pull(root, db, 'irisapp', '2024-01-01', '2024-01-03'));
  expect(later.stderr).toContain('labels: 1 row, 100 % of inputs labeled\n');
  expect(await sqlJson(db, 'select x, verdict, _labeled from scored order by x')).toEqual([
    { x: 1, verdict: 'good', _labeled: true },
    { x: 2, verdict: 'bad', _labeled: true },
  ]);
  expect((await runMdq(['ls', '--db', db])).stdout).toMatch(
    /\n {2}truth +labels, --role → labels: 2 blobs, 2 rows\n/,
  );
});

test('a multi-row headerless request spreads its line over its rows; a one-row probability line stays columns', async () => {
  const db = join(tmp.path, 'headerless.duckdb');
  const pulled = await runMdq(
    pull(join(FIXTURES, 'workbench'), db, 'wineapp', '2023-12-31', '2024-01-07'),
  );
  expect(pulled.code).toBe(0);
  expect(
    await sqlJson(
      db,
      `select _row, alcohol, "0", "1", "2", prediction, _matched from scored
       where _date = '2024-01-02' order by _ts, _row`,
    ),
  ).toEqual([
    { _row: 0, alcohol: 9.7, 0: 5, 1: null, 2: null, prediction: 5, _matched: true },
    // One input row, three values: class probabilities, not one prediction.
    { _row: 0, alcohol: 9.4, 0: 0.1, 1: 0.7, 2: 0.2, prediction: null, _matched: true },
    // Three input rows, one line of three values: value i is row i's prediction.
    { _row: 0, alcohol: 9.8, 0: 5, 1: 6, 2: 7, prediction: 5, _matched: true },
    { _row: 1, alcohol: 9.8, 0: 5, 1: 6, 2: 7, prediction: 6, _matched: true },
    { _row: 2, alcohol: 10, 0: 5, 1: 6, 2: 7, prediction: 7, _matched: true },
  ]);
});

test("the README's accuracy-per-day query runs on scored (AKS fixture: labels in `label`)", async () => {
  const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('Accuracy per day'));
  const sql = /mdq sql "([^"]+)"/.exec(block)?.[1];
  expect(sql).toContain('from scored');
  const db = join(tmp.path, 'accuracy.duckdb');
  const pulled = await runMdq(
    pull(join(FIXTURES, 'aks'), db, 'irisapp', '2024-01-01', '2024-01-07'),
  );
  expect(pulled.code).toBe(0);
  // EXPECTED.json: 4 labeled input rows; the fixture's labels agree with the predictions.
  expect(await sqlJson(db, sql as string)).toEqual([
    { _date: '2024-01-01', labeled: 1, accuracy: 1 },
    { _date: '2024-01-02', labeled: 0, accuracy: null },
    { _date: '2024-01-04', labeled: 3, accuracy: 1 },
    { _date: '2024-01-05', labeled: 0, accuracy: null },
    { _date: '2024-01-06', labeled: 0, accuracy: null },
  ]);
});
