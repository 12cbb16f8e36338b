import stringWidth from 'string-width';
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

const WIDE = `select ${Array.from({ length: 30 }, (_, index) => `'value ${index}' as column_${index}`).join(', ')} from range(3)`;

test('mdq sql on a terminal fits a wide result to its width (the test terminal has 100 columns)', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, WIDE], {
    tty: true,
    env: { NO_COLOR: '1' },
  });
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split('\n');
  expect(Math.max(...lines.map((line) => stringWidth(line)))).toBeLessThanOrEqual(100);
  expect(lines[1]).toContain('│ … │');
  expect(lines.at(-1)).toMatch(/of 30 columns shown/);
});

test('--format table into a pipe keeps every column (no terminal to fit)', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, WIDE, '--format', 'table']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('column_15');
  expect(result.stdout).not.toContain('columns shown');
});

test('.schema leaves out the columns DuckDB fills with NULL (key, default, extra)', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, '--format', 'csv'], {
    stdin: '.schema inputs\n',
  });
  expect(result.code).toBe(0);
  expect(result.stdout.split('\n').slice(0, 2)).toEqual([
    'column_name,column_type,null',
    '_service,VARCHAR,YES',
  ]);
});

test('.mode line in a script shows the rows after it expanded', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath], {
    stdin: ".mode line\nselect 1 as a, 'x' as bee;\n",
  });
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('-[ RECORD 1 ]---------------------------\na   | 1\nbee | x\n');
});
