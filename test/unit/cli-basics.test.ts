import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runMdq } from '../helpers/run-cli.js';

test('--help lists every command on stdout and exits 0', async () => {
  const run = await runMdq(['--help']);
  expect(run.code).toBe(0);
  for (const command of ['demo', 'pull', 'sql', 'export', 'ls', 'collect']) {
    expect(run.stdout).toContain(`mdq ${command}`);
  }
  expect(run.stderr).toBe('');
});

test('--version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const run = await runMdq(['--version']);
  expect(run.code).toBe(0);
  expect(run.stdout.trim()).toBe(pkg.version);
});

test('an unknown command or flag is a usage error: one line, a hint, exit 2', async () => {
  for (const argv of [['frobnicate'], ['sql', '--no-such-flag'], []]) {
    const run = await runMdq(argv);
    expect(run.code, argv.join(' ')).toBe(2);
    expect(run.stderr).toMatch(/^mdq: .+\nhint: .+\n$/);
    expect(run.stdout).toBe('');
  }
});

test('a mistyped flag stops the command before it runs: no query, no pull', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdq-cli-typo-'));
  const sql = await runMdq([
    'sql',
    'select 42 as answer',
    '--db',
    join(dir, 'sql.duckdb'),
    '--fromat',
    'csv',
  ]);
  expect(sql.code).toBe(2);
  expect(sql.stderr).toMatch(/^mdq: Unknown argument: fromat\nhint: .+\n$/);
  expect(sql.stdout).toBe('');
  const db = join(dir, 'pull.duckdb');
  const pull = await runMdq([
    'pull',
    '--source',
    dir,
    '--service',
    'irisapp',
    '--db',
    db,
    '--from',
    '2024-01-01',
    '--too',
    '2024-01-31',
  ]);
  expect(pull.code).toBe(2);
  expect(pull.stderr).toMatch(/^mdq: Unknown argument: too\nhint: .+\n$/);
  expect(existsSync(db)).toBe(false);
});
