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
  for (const argv of [['frobnicate'], ['sql', '--no-such-flag']]) {
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
  expect(sql.stderr).toBe(
    'mdq: unknown option --fromat (did you mean --format?)\nhint: run mdq sql --help\n',
  );
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
  expect(pull.stderr).toBe(
    'mdq: unknown option --too (did you mean --to?)\nhint: run mdq pull --help\n',
  );
  expect(existsSync(db)).toBe(false);
});

test('mdq alone lists the commands (on stderr) before saying to name one', async () => {
  const run = await runMdq([]);
  expect(run.code).toBe(2);
  for (const command of ['demo', 'pull', 'sql', 'export', 'ls', 'collect']) {
    expect(run.stderr).toContain(`mdq ${command}`);
  }
  expect(run.stderr).toMatch(/\nmdq: name a command\nhint: run mdq --help\n$/);
  expect(run.stdout).toBe('');
});

test('usage errors say what to type: did you mean, --names, the command’s own help', async () => {
  const cases: Array<[string[], string]> = [
    [['pul'], 'mdq: unknown command pul; did you mean pull?\nhint: run mdq pull --help\n'],
    [
      ['pull', '--servce', 'irisapp', '--from', '2024-01-01'],
      'mdq: unknown option --servce (did you mean --service?)\nhint: run mdq pull --help\n',
    ],
    [['pull', '--from', '2024-01-01'], 'mdq: --service is required\nhint: run mdq pull --help\n'],
    [['ls', '-x'], 'mdq: unknown option -x\nhint: run mdq ls --help\n'],
    [['sql', '--db'], 'mdq: --db needs a value\nhint: run mdq sql --help\n'],
    [['sql', '--db', '--format', 'csv'], 'mdq: --db needs a value\nhint: run mdq sql --help\n'],
    [['sql', '--db=', 'select 1'], 'mdq: --db needs a file name\nhint: e.g. --db mdq.duckdb\n'],
    [
      ['sql', '--format', 'xx', 'select 1'],
      'mdq: --format "xx" is not one of table, csv, json, ndjson, markdown\nhint: run mdq sql --help\n',
    ],
    [
      ['export', '--out', 'x.parquet', '--table', 'a', '--query', 'b'],
      'mdq: --table and --query cannot be used together\nhint: run mdq export --help\n',
    ],
    [
      ['demo', '--requests', 'abc'],
      'mdq: --requests must be a number, got "abc"\nhint: run mdq demo --help\n',
    ],
    [
      ['sql', '--limit=x', 'select 1'],
      'mdq: --limit must be a number, got "x"\nhint: run mdq sql --help\n',
    ],
    [
      ['sql', 'select', '1'],
      'mdq: unexpected argument "1"\nhint: put the whole query in quotes: mdq sql "select … from …"\n',
    ],
  ];
  for (const [argv, stderr] of cases) {
    const run = await runMdq(argv, { cwd: mkdtempSync(join(tmpdir(), 'mdq-cli-usage-')) });
    expect(run.stderr, argv.join(' ')).toBe(stderr);
    expect(run.code, argv.join(' ')).toBe(2);
  }
});

test('--from after today without --to says that --to defaults to today (UTC)', async () => {
  const run = await runMdq(['pull', '--service', 'irisapp', '--from', '2999-01-01'], {
    cwd: mkdtempSync(join(tmpdir(), 'mdq-cli-from-')),
  });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(
    /^mdq: --from 2999-01-01 is after --to, which defaults to today \(\d{4}-\d{2}-\d{2}, UTC\)\nhint: /,
  );
});
