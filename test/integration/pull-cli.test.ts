import { existsSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AZURITE_KEY, type Azurite, startAzurite } from '../helpers/azurite.js';
import { queryDb } from '../helpers/query-db.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { AKS_ARCHIVE, aksPullArgs, writeArchive } from './pull-archives.js';

let tmp: { path: string; cleanup: () => Promise<void> };
let azurite: Azurite;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-cli-');
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  await tmp?.cleanup();
});

const AKS_INPUTS = 'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01/inputs.csv';

async function freshArchive(name: string) {
  const root = join(tmp.path, name);
  await writeArchive(root, AKS_ARCHIVE);
  return { root, db: join(tmp.path, `${name}.duckdb`) };
}

test('pull prints nothing on stdout, a summary on stderr; a re-run downloads nothing', async () => {
  const { root, db } = await freshArchive('rerun');
  const first = await runMdq(aksPullArgs(root, db));
  expect(first.stderr).toContain('6 blobs loaded');
  expect(first.stderr).toContain('inputs 6 rows, predictions 6 rows');
  expect(first.stdout).toBe('');
  expect(first.code).toBe(0);
  const loadedAt = await queryDb(
    db,
    'SELECT blob, loaded_at::VARCHAR AS t FROM mdq_manifest ORDER BY blob',
  );

  const second = await runMdq(aksPullArgs(root, db));
  expect(second.code).toBe(0);
  expect(second.stderr).toContain('0 blobs loaded (0 B), 6 unchanged');
  expect(
    await queryDb(db, 'SELECT blob, loaded_at::VARCHAR AS t FROM mdq_manifest ORDER BY blob'),
  ).toEqual(loadedAt);
  expect(await queryDb(db, 'SELECT count(*) AS n FROM inputs')).toEqual([{ n: '6' }]);
});

test('a grown append blob is reloaded without duplicates', async () => {
  const { root, db } = await freshArchive('grown');
  expect((await runMdq(aksPullArgs(root, db))).code).toBe(0);
  const gen = '1440,sub1/rg1/ws1,irisapp,iris,3,00000000-0000-0000-0000-000000000000';
  await appendFile(
    join(root, AKS_INPUTS),
    `7.0,5.0,late,c7,2024-01-01T23:00:00,${gen}\n7.1,5.1,late,c7,2024-01-01T23:00:00,${gen}\n`,
  );
  const again = await runMdq(aksPullArgs(root, db));
  expect(again.stderr).toContain('1 blob loaded');
  expect(again.code).toBe(0);
  expect(
    await queryDb(
      db,
      "SELECT _correlation_id AS c, count(*) AS n, max(_row) AS r FROM inputs WHERE _date = DATE '2024-01-01' GROUP BY 1 ORDER BY 1",
    ),
  ).toEqual([
    { c: 'c1', n: '2', r: '1' },
    { c: 'c2', n: '1', r: '0' },
    { c: 'c7', n: '2', r: '1' },
  ]);
  expect(await queryDb(db, 'SELECT count(*) AS n FROM inputs')).toEqual([{ n: '8' }]);
});

test('an unparsable blob is quarantined with a reason naming it; the rest loads; exit 1', async () => {
  const { root, db } = await freshArchive('quarantine');
  const broken = 'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/02/labels.csv';
  const binary = 'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/03/labels.csv';
  await writeArchive(root, {
    [broken]: 'label,note\r\nsetosa,"never closed\n',
    [binary]: Buffer.from([0x6c, 0x61, 0x62, 0x0a, 0xff, 0xfe, 0x00, 0x0a]),
  });
  const result = await runMdq(aksPullArgs(root, db));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`quarantined 2 blobs`);
  expect(result.stderr).toContain(`${broken} ends inside a quoted field`);
  expect(result.stderr).toContain(`${binary} is not valid UTF-8 text`);
  expect(result.stdout).toBe('');
  expect(
    await queryDb(
      db,
      "SELECT blob, status, rows FROM mdq_manifest WHERE status <> 'loaded' ORDER BY blob",
    ),
  ).toEqual([
    { blob: broken, status: 'quarantined', rows: '0' },
    { blob: binary, status: 'quarantined', rows: '0' },
  ]);
  expect(await queryDb(db, 'SELECT count(*) AS n FROM inputs')).toEqual([{ n: '6' }]);
  // A quarantined blob that has not changed is not retried, but it is still missing: exit 1.
  const again = await runMdq(aksPullArgs(root, db));
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('0 blobs loaded');
  expect(again.stderr).toContain('2 blobs quarantined by an earlier pull are unchanged');
  // Fixed, it loads.
  await writeFile(join(root, broken), 'label,note\r\nsetosa,"closed"\n');
  const fixed = await runMdq(aksPullArgs(root, db));
  expect(fixed.stderr).toContain('1 blob loaded');
  expect(fixed.stderr).toContain('1 blob quarantined by an earlier pull is unchanged');
  expect(fixed.code).toBe(1);
  expect(await queryDb(db, 'SELECT label, note FROM labels')).toEqual([
    { label: 'setosa', note: 'closed' },
  ]);
});

test('wrong service: one line naming the services that exist, exit 1', async () => {
  const { root, db } = await freshArchive('wrong-service');
  const result = await runMdq([
    'pull',
    '--source',
    root,
    '--db',
    db,
    '--service',
    'nope',
    '--from',
    '2024-01-01',
  ]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /^mdq: service "nope" not found in .*\nhint: services here: irisapp\n$/,
  );
  expect(result.stdout).toBe('');
});

test('a range with nothing in it names the days the source holds and leaves no database', async () => {
  const { root, db } = await freshArchive('empty-range');
  const args = aksPullArgs(root, db).map((a) =>
    a === '2024-01-01' ? '2023-06-01' : a === '2024-01-04' ? '2023-06-30' : a,
  );
  const result = await runMdq(args);
  expect(result.code).toBe(0);
  const lines = result.stderr.split('\n');
  expect(lines[0]).toBe(`mdq pull: no blobs of irisapp from 2023-06-01 to 2023-06-30 in ${root}`);
  expect(lines[1]).toBe('the source holds these days of irisapp:');
  // The last day is one of the archive's (its month folders are both `01` and `1`).
  expect(lines[2]).toMatch(
    /^ {2}model iris version 3: 2024-01-01 \.\. 2024-01-0\d \(inputs, predictions\)$/,
  );
  expect(lines.slice(3)).toEqual(['no database written', '']);
  expect(existsSync(db)).toBe(false);
  // An existing database stays as it was, and says so.
  expect((await runMdq(aksPullArgs(root, db))).code).toBe(0);
  const again = await runMdq(args);
  expect(again.stderr).toMatch(/\ndatabase: .*empty-range\.duckdb \(unchanged\)\n$/);
  expect(await queryDb(db, 'SELECT count(*) AS n FROM inputs')).toEqual([{ n: '6' }]);
});

test('bad dates are usage errors (exit 2) with a hint', async () => {
  const { root, db } = await freshArchive('dates');
  // AKS_ARCHIVE's pull arguments with other --from and --to values.
  const withDates = (from: string, to: string) =>
    aksPullArgs(root, db).map((a) => (a === '2024-01-01' ? from : a === '2024-01-04' ? to : a));
  const notADate = await runMdq(withDates('2024-13-01', '2024-01-04'));
  expect(notADate.code).toBe(2);
  expect(notADate.stderr).toMatch(/^mdq: --from "2024-13-01" is not a date\nhint: .*YYYY-MM-DD/);
  const reversed = await runMdq(withDates('2024-02-01', '2024-01-01'));
  expect(reversed.code).toBe(2);
  expect(reversed.stderr).toMatch(/^mdq: --from 2024-02-01 is after --to 2024-01-01\nhint: /);
  const missing = await runMdq(['pull', '--source', root, '--service', 'irisapp']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('from');
});

test('unreachable storage and bad credentials: one line and a hint, no stack, no secret', async () => {
  const db = join(tmp.path, 'azure-errors.duckdb');
  const container = await azurite.createContainer('err');
  const wrongKey = Buffer.from('not the key at all, not the key at all!!').toString('base64');
  const badCredentials = await runMdq(
    [
      'pull',
      '--source',
      `${azurite.blobEndpoint}/${container}`,
      '--db',
      db,
      '--service',
      'irisapp',
      '--from',
      '2024-01-01',
    ],
    {
      env: {
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString.replace(AZURITE_KEY, wrongKey),
      },
    },
  );
  expect(badCredentials.code).toBeGreaterThanOrEqual(1);
  expect(badCredentials.code).toBeLessThanOrEqual(2);
  expect(badCredentials.stderr).toMatch(/^mdq: [^\n]+\nhint: [^\n]+\n$/);
  expect(badCredentials.stderr).not.toContain(wrongKey);

  const closedPort = `http://127.0.0.1:1/devstoreaccount1/${container}`;
  const unreachable = await runMdq(
    ['pull', '--source', closedPort, '--db', db, '--service', 'irisapp', '--from', '2024-01-01'],
    { env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString } },
  );
  expect(unreachable.code).toBeGreaterThanOrEqual(1);
  expect(unreachable.code).toBeLessThanOrEqual(2);
  expect(unreachable.stderr).toMatch(/^mdq: [^\n]+\nhint: [^\n]+\n$/);
  expect(unreachable.stderr).not.toContain(AZURITE_KEY);
});

test('--help teaches with examples', async () => {
  const help = await runMdq(['pull', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--service');
  expect(help.stdout).toContain('Examples:');
  expect(help.stdout).toContain('az://modeldata');
});

test('Ctrl-C (the signal) stops the pull with exit 130', async () => {
  const { root, db } = await freshArchive('interrupt');
  const controller = new AbortController();
  controller.abort();
  const result = await runMdq(aksPullArgs(root, db), { signal: controller.signal });
  expect(result.code).toBe(130);
  expect(result.stderr).toContain('mdq: interrupted');
});

test('on a terminal the progress is drawn with ink on stderr; stdout stays empty', async () => {
  const { root, db } = await freshArchive('tty');
  const result = await runMdq(aksPullArgs(root, db), { tty: true, env: { CI: undefined } });
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('blobs listed');
  expect(result.stderr).toContain('6 blobs loaded');
});
