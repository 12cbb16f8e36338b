import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { cli, shellLine } from '../helpers/cli-line.js';
import { runMdq } from '../helpers/run-cli.js';
import { type ProcessRun, runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Control characters in values and column names (issue 14, item 7): escaped whenever stdout is
 * a terminal, whatever the format; exact bytes in a pipe. Through the real CLI: a pseudo-terminal
 * from `script`, and a pipe.
 */
const HOSTILE = 'v\u001b[2J\u0007b\r\b\u009b1m\u202ex';
const COLUMN = 'c\u001b[31m';

let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let dbPath: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-terminal-');
  dbPath = join(tmp.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run(
      `create table hostile as select '${HOSTILE}' as "${COLUMN}", 'C:\\temp' as path`,
    );
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await tmp?.cleanup();
});

const QUERY = 'select * from hostile';
// Raw controls a terminal would act on (a tab only moves on); CR is checked apart (a pty ends
// its lines with CR LF).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;

/** The CLI in a real terminal (`script` allocates a pty); resolves with what the screen got. */
async function inTerminal(args: string[]): Promise<string> {
  const run = await runProcess('script', ['-qfec', shellLine(cli(args)), '/dev/null'], {
    ...process.env,
    NO_COLOR: '1',
  });
  expect(run.code, run.stdout).toBe(0);
  return run.stdout;
}

/** The CLI with stdout on a pipe this test reads. */
function inPipe(args: string[]): Promise<ProcessRun> {
  const [node, ...rest] = cli(args);
  return runProcess(node as string, rest, process.env);
}

function expectSafe(screen: string): void {
  expect(screen).not.toMatch(UNSAFE);
  expect(screen.replaceAll('\r\n', '\n')).not.toContain('\r');
}

test('csv on a real terminal shows control characters as escapes, in values and names', async () => {
  const screen = await inTerminal(['sql', '--db', dbPath, '--format', 'csv', QUERY]);
  expectSafe(screen);
  expect(screen.replaceAll('\r\n', '\n')).toBe(
    'c\\x1b[31m,path\n"v\\x1b[2J\\x07b\\r\\x08\\x9b1m\\u202ex",C:\\\\temp\n',
  );
});

test('json and ndjson on a real terminal stay valid JSON with the same values, escaped', async () => {
  for (const format of ['json', 'ndjson']) {
    const screen = await inTerminal(['sql', '--db', dbPath, '--format', format, QUERY]);
    expectSafe(screen);
    const parsed = JSON.parse(format === 'json' ? screen : `[${screen.trim()}]`);
    expect(parsed).toEqual([{ [COLUMN]: HOSTILE, path: 'C:\\temp' }]);
  }
});

test('in a pipe every format keeps the exact bytes', async () => {
  const csv = await inPipe(['sql', '--db', dbPath, '--format', 'csv', QUERY]);
  expect(csv.stderr).toBe('');
  expect(csv.stdout).toBe(`${COLUMN},path\n"${HOSTILE}",C:\\temp\n`);
  const ndjson = await inPipe(['sql', '--db', dbPath, '--format', 'ndjson', QUERY]);
  expect(ndjson.stdout).toContain('\u009b1m\u202ex');
  expect(JSON.parse(ndjson.stdout)).toEqual({
    [COLUMN]: HOSTILE,
    path: 'C:\\temp',
  });
});

test('any format to a terminal is escaped when mdq runs in-process too (captured TTY)', async () => {
  for (const format of ['csv', 'json', 'ndjson', 'markdown']) {
    const result = await runMdq(['sql', '--db', dbPath, '--format', format, QUERY], { tty: true });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout).not.toContain('\r');
  }
});

test('a long result into a socket writes no warning, and `| head` ends it quietly with exit 0', async () => {
  const many = "select range as n, repeat('x', 100) as pad from range(300000)";
  const piped = await inPipe(['sql', '--db', dbPath, '--format', 'csv', many]);
  expect(piped.stderr).toBe('');
  expect(piped.code).toBe(0);
  expect(piped.stdout.split('\n')).toHaveLength(300_002);

  const head = await runProcess(
    'bash',
    [
      '-c',
      `set -o pipefail; ${shellLine(cli(['sql', '--db', dbPath, '--format', 'csv', many]))} | head -c 100 > /dev/null; echo "status=$?"`,
    ],
    process.env,
  );
  expect(head.stderr).toBe('');
  expect(head.stdout.trim()).toBe('status=0');
});
