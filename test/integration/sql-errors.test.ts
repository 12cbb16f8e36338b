import { existsSync } from 'node:fs';
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

test('a syntax error shows the statement with a caret under the fault', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, 'selec 1']);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    [
      'mdq: Parser Error: syntax error at or near "selec"',
      '  LINE 1: selec 1',
      '          ^',
      'hint: check the SQL syntax (DuckDB dialect)',
      '',
    ].join('\n'),
  );
});

test('SQL that stops short gets its caret after the last character', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, 'select 1 +']);
  expect(result.stderr).toBe(
    [
      'mdq: Parser Error: syntax error at end of input',
      '  LINE 1: select 1 +',
      '                    ^',
      'hint: check the SQL syntax (DuckDB dialect)',
      '',
    ].join('\n'),
  );
});

test('a failing statement of a stdin script is named, its lines counted from the top of the input', async () => {
  const result = await runMdq(['sql', '--db', fixture.dbPath, '--format', 'csv'], {
    stdin: 'select 1 as a;\n\n-- the second\nselect x,\n  nope\nfrom inputs;\nselect 3;\n',
  });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('a\n1\n');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toBe(
    'mdq: statement 2 (from line 3 of the input): Binder Error: Referenced column "nope" not found in FROM clause!',
  );
  expect(lines.slice(-3)).toEqual([
    '  LINE 5:   nope',
    '            ^',
    'hint: list a table’s columns with: mdq sql "describe <table>"',
  ]);
});

test('export checks --query first: a syntax error is shown as such, no file written', async () => {
  const out = join(fixture.dir, 'bad.parquet');
  const result = await runMdq([
    'export',
    '--db',
    fixture.dbPath,
    '--out',
    out,
    '--query',
    'select x fro inputs',
  ]);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    [
      'mdq: Parser Error: syntax error at or near "inputs"',
      '  LINE 1: select x fro inputs',
      '                       ^',
      'hint: check the SQL syntax (DuckDB dialect)',
      '',
    ].join('\n'),
  );
  expect(existsSync(out)).toBe(false);
});
