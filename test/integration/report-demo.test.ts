import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

test('mdq demo ends by writing a report beside the database and printing its path', async () => {
  const dir = await makeTmpDir('mdq-report-demo-');
  cleanups.push(dir.cleanup);
  const result = await runMdq(
    ['demo', '--days', '3', '--requests', '10', '--folder', 'modeldata', '--db', 'demo.duckdb'],
    { cwd: dir.path, env: { MDQ_SPOOL_DIR: join(dir.path, 'spool') } },
  );
  const page = join(dir.path, 'mdq-report.html');
  expect(result.stderr).toContain(`Report (drift, data quality): ${page}\n`);
  expect(existsSync(page)).toBe(true);
  const html = await readFile(page, 'utf8');
  expect(html).toContain('<meta name="generator" content="mdq report">');
  expect(html).toContain('<h1>mdq report · irisapp</h1>');
});
