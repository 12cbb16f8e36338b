import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { demoQueries } from '../../src/demo/demo-queries.js';
import { DEMO_SERVICE, serveIrisDays } from '../../src/demo/iris-service.js';
import { daysInRange, formatDay } from '../../src/layout/days.js';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { queryRows } from '../../src/query/run.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { startAzurite } from '../helpers/azurite.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function tmp(): Promise<string> {
  const dir = await makeTmpDir('mdq-demo-');
  cleanups.push(dir.cleanup);
  return dir.path;
}

const days = daysInRange({ year: 2024, month: 3, day: 1 }, { year: 2024, month: 3, day: 3 });
const from = formatDay(days[0] ?? { year: 2024, month: 3, day: 1 });
const to = formatDay(days[2] ?? { year: 2024, month: 3, day: 3 });

test('the demo service writes Workbench blobs that pull loads and joins back to what the service predicted', async () => {
  const dir = await tmp();
  const served = await serveIrisDays({
    days,
    requestsPerDay: 15,
    destination: { folder: join(dir, 'modeldata') },
    env: { MDQ_SPOOL_DIR: join(dir, 'spool') },
    until: Date.UTC(2024, 2, 4),
  });
  expect(served.requests).toBe(45);
  expect(served.trainingAccuracy).toBeGreaterThan(0.9);

  const store = new LocalBlobStore(join(dir, 'modeldata'));
  const dbPath = join(dir, 'mdq.duckdb');
  const result = await pull({
    store,
    source: store.description,
    dbPath,
    service: DEMO_SERVICE,
    from: days[0] ?? { year: 2024, month: 3, day: 1 },
    to: days[2] ?? { year: 2024, month: 3, day: 3 },
  });
  expect(result.rowsByTable).toEqual({ inputs: served.inputRows, predictions: served.inputRows });
  expect(result.quarantined).toEqual([]);

  const db = await openDatabase(dbPath, { mustExist: true });
  try {
    const [, distribution] = demoQueries(from, to);
    const { rows } = await queryRows(db.connection, distribution?.sql ?? '');
    const fromDb = Object.fromEntries(
      rows.map(([day, setosa, versicolor, virginica]) => [
        String(day),
        { setosa: Number(setosa), versicolor: Number(versicolor), virginica: Number(virginica) },
      ]),
    );
    const fromService = Object.fromEntries(
      Object.entries(served.predictionsByDay).map(([day, counts]) => [
        day,
        {
          setosa: counts.setosa ?? 0,
          versicolor: counts.versicolor ?? 0,
          virginica: counts.virginica ?? 0,
        },
      ]),
    );
    // What the service counted while serving equals what the joined archive says, day by day.
    expect(fromDb).toEqual(fromService);
    const unmatched = await queryRows(
      db.connection,
      'select count(*) from scored where not _matched',
    );
    expect(Number(unmatched.rows[0]?.[0])).toBe(0);
  } finally {
    db.close();
  }
});

test('mdq demo runs end to end in an empty folder: tables on stdout, commentary on stderr', async () => {
  const dir = await tmp();
  const run = await runMdq(['demo', '--days', '2', '--requests', '5', '--format', 'csv'], {
    cwd: dir,
    env: { MDQ_SPOOL_DIR: join(dir, 'spool') },
  });
  expect(run.stderr).not.toMatch(/mdq: /);
  expect(run.code).toBe(0);
  expect(await readdir(join(dir, 'modeldata'))).toHaveLength(1);
  expect(run.stderr).toContain('Prediction distribution per day');
  expect(run.stdout).toContain('day,requests,input_rows,scored_rows');
  // the first table: two days of five requests each, every input row scored
  const perDay = run.stdout
    .split('\n')
    .filter((line) => /^\d{4}-\d{2}-\d{2},/.test(line))
    .slice(0, 2)
    .map((line) => line.split(','));
  expect(perDay).toHaveLength(2);
  for (const [, requests, inputRows, scoredRows] of perDay) {
    expect(requests).toBe('5');
    expect(scoredRows).toBe(inputRows);
  }
});

test('mdq demo can collect into Azure Blob Storage (Azurite) and pull from there', async () => {
  const dir = await tmp();
  const azurite = await startAzurite();
  cleanups.push(() => azurite.stop());
  const run = await runMdq(
    [
      'demo',
      '--days',
      '1',
      '--requests',
      '4',
      '--format',
      'ndjson',
      '--connection-string',
      azurite.connectionString,
    ],
    { cwd: dir, env: { MDQ_SPOOL_DIR: join(dir, 'spool') } },
  );
  expect(run.code).toBe(0);
  expect(run.stderr).toContain('az://modeldata');
  expect(run.stdout + run.stderr).not.toContain(
    'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
  );
  const first = JSON.parse(run.stdout.split('\n')[0] ?? '{}') as Record<string, unknown>;
  expect(first.requests).toBe(4);
});

test('mdq demo with a wrong account key: exit 1, says the rows were not stored and where they wait', async () => {
  const dir = await tmp();
  const azurite = await startAzurite();
  cleanups.push(() => azurite.stop());
  // A well-formed key that is not the account's: every request is refused (403).
  const wrongKey = Buffer.alloc(64, 7).toString('base64');
  const connectionString = azurite.connectionString.replace(
    /AccountKey=[^;]+/,
    `AccountKey=${wrongKey}`,
  );
  const run = await runMdq(
    ['demo', '--days', '1', '--requests', '3', '--connection-string', connectionString],
    { cwd: dir, env: {} },
  );
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain('written to');
  expect(run.stderr).toMatch(
    /^mdq: (\d+) of the demo's \1 rows did not reach azure:devstoreaccount1@http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/modeldata: access denied .*; they wait in the spool .*\.mdq-spool$/m,
  );
  expect(run.stderr).toMatch(/^hint: check the connection string/m);
  expect(`${run.stdout}${run.stderr}`).not.toContain(wrongKey.slice(0, 16));
  // The spool is in the folder the command ran in, not wherever the process started.
  expect((await readdir(join(dir, '.mdq-spool'))).some((name) => name.endsWith('.batch'))).toBe(
    true,
  );
});
