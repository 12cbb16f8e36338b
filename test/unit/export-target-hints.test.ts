import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { sparkLocation } from '../../cli/commands/export.js';
import { sparkReadStatement } from '../../src/query/export.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { runMdq } from '../helpers/run-cli.js';

test('export --out folder/ without --partition-by says a folder needs --partition-by', async () => {
  const run = await runMdq(['export', '--out', 'scored/'], {
    cwd: mkdtempSync(join(tmpdir(), 'mdq-export-hint-')),
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    'mdq: --out scored/ is a folder: a folder needs --partition-by\n' +
      'hint: add --partition-by _date (or other columns), or name a file: --out scored.parquet\n',
  );
});

test('the abfss:// statement is for Azure Storage accounts, not for Azurite', async () => {
  const options = { env: {}, cwd: tmpdir() };
  // Resolving builds clients only: nothing is sent anywhere.
  const azure = await resolveStore(
    'https://myaccount.blob.core.windows.net/exports/irisapp?sv=2024-01-01&sig=abc',
    options,
  );
  const location = sparkLocation(azure, '');
  expect(location).toMatchObject({ account: 'myaccount', container: 'exports' });
  expect(
    sparkReadStatement(location ?? { account: '', container: '', path: '' }, 'parquet'),
  ).toContain("path 'abfss://exports@myaccount.dfs.core.windows.net/irisapp");
  const azurite = await resolveStore(
    'http://127.0.0.1:10000/devstoreaccount1/exports/irisapp?sv=2024-01-01&sig=abc',
    options,
  );
  expect(azurite.kind).toBe('azure');
  expect(sparkLocation(azurite, '')).toBeUndefined();
});
