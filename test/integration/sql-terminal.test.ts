import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Control characters in values and column names (issue 14, item 7): escaped whenever stdout is
 * a terminal, whatever the format; exact bytes in a pipe. Through the real CLI: a pseudo-terminal
 * from `script`, and a pipe.
 */
const REPO = resolve(import.meta.dirname, '../..');
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
// Raw controls a terminal would act on; CR is checked apart (a pty ends its lines with CR LF).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e]/;

function cli(args: string[]): string[] {
  return [process.execPath, '--import', 'tsx', 'cli/main.ts', ...args];
}

/** The CLI in a real terminal (`script` allocates a pty); resolves with what the screen got. */
function inTerminal(args: string[]): Promise<string> {
  const command = cli(args)
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  return new Promise((done, fail) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
    });
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? done(screen) : fail(new Error(screen))));
  });
}

/** The CLI with stdout on a pipe this test reads. */
function inPipe(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const [node, ...rest] = cli(args);
  return new Promise((done, fail) => {
    const child = spawn(node as string, rest, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout: Buffer.concat(chunks), stderr }));
  });
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
  expect(csv.stdout.toString('utf8')).toBe(`${COLUMN},path\n"${HOSTILE}",C:\\temp\n`);
  const ndjson = await inPipe(['sql', '--db', dbPath, '--format', 'ndjson', QUERY]);
  expect(ndjson.stdout.toString('utf8')).toContain('\u009b1m\u202ex');
  expect(JSON.parse(ndjson.stdout.toString('utf8'))).toEqual({
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
  expect(piped.stdout.toString('utf8').split('\n')).toHaveLength(300_002);

  const head = await new Promise<{ status: string; stderr: string }>((done, fail) => {
    const command = `set -o pipefail; ${cli(['sql', '--db', dbPath, '--format', 'csv', many])
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ')} | head -c 100 > /dev/null; echo "status=$?"`;
    const child = spawn('bash', ['-c', command], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', fail);
    child.once('close', () => done({ status: stdout.trim(), stderr }));
  });
  expect(head.stderr).toBe('');
  expect(head.status).toBe('status=0');
});
