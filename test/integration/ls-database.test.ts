import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runMdq } from '../helpers/run-cli.js';
import { makeFixtureDb } from './sql-fixture.js';

let fixture: Awaited<ReturnType<typeof makeFixtureDb>>;
beforeAll(async () => {
  fixture = await makeFixtureDb();
});
afterAll(async () => {
  await fixture.cleanup();
});

test('ls without --source: tables with rows, days per service, blobs loaded and quarantined', async () => {
  const result = await runMdq(['ls', '--db', fixture.dbPath]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('  inputs        5 rows\n');
  expect(result.stdout).toContain('  predictions   4 rows\n');
  expect(result.stdout).toContain('  scored        5 rows (view)\n');
  expect(result.stdout).toContain('  irisapp in inputs: 2024-01-01 .. 2024-01-02, 4 rows\n');
  expect(result.stdout).toContain('  other in inputs: 2024-01-03 .. 2024-01-03, 1 row\n');
  expect(result.stdout).toContain('  loaded: 2 blobs, 4 rows\n');
  expect(result.stdout).toContain('  quarantined: 1 blob, 0 rows\n');

  const json = JSON.parse((await runMdq(['ls', '--db', fixture.dbPath, '--json'])).stdout);
  expect(json.manifest).toEqual([
    { status: 'loaded', blobs: 2, rows: 4, bytes: 200 },
    { status: 'quarantined', blobs: 1, rows: 0, bytes: 50 },
  ]);
});

test('ls --source: services, models, versions, identifiers with first and last day', async () => {
  const source = join(fixture.dir, 'modeldata');
  const aks = 'sub/rg/ws/irisapp/iris/3';
  const days = ['2024/01/05', '2024/02/01', '2024/02/09'];
  for (const identifier of ['inputs', 'predictions']) {
    for (const day of identifier === 'inputs' ? days : days.slice(1)) {
      const folder = join(source, aks, identifier, day);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `${identifier}.csv`), 'a,b\n1,2\n');
    }
  }
  const result = await runMdq(['ls', '--source', source]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(
    [
      `source ${source}`,
      'service irisapp',
      '  model iris',
      '    version 3',
      '      inputs       2024-01-05 .. 2024-02-09  [aks]',
      '      predictions  2024-02-01 .. 2024-02-09  [aks]',
      '',
    ].join('\n'),
  );
});
