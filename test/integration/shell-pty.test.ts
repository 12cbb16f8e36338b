import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeFixtureDb } from './sql-fixture.js';

const REPO = resolve(import.meta.dirname, '../..');

let fixture: Awaited<ReturnType<typeof makeFixtureDb>>;
beforeAll(async () => {
  fixture = await makeFixtureDb();
});
afterAll(async () => {
  await fixture.cleanup();
});

/**
 * The real CLI in a real terminal: `script` allocates a pty, so stdin/stdout/stderr are TTYs and
 * ink puts it in raw mode (NO_COLOR, so the cursor cell is a plain space and lines end at the prompt). Keys are written to script's stdin, the screen is read from its stdout.
 */
class Terminal {
  readonly child: ChildProcess;
  #screen = '';
  #mark = 0;
  #waiters: { text: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  #hasExited = false;
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    const quoted = [process.execPath, '--import', 'tsx', 'cli/main.ts', ...args]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(' ');
    this.child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${quoted}`, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, ...env, CI: '', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.#screen += chunk.toString('utf8');
      this.#check();
    });
    this.exited = new Promise((done) =>
      this.child.once('close', (code) => {
        this.#hasExited = true;
        this.#check();
        done(code);
      }),
    );
  }

  /** Resolves when `text` appears in the output written since the last call (or the start). */
  waitFor(text: string): Promise<void> {
    return new Promise((resolveWait, reject) => {
      this.#waiters.push({ text, resolve: resolveWait, reject });
      this.#check();
    });
  }

  type(keys: string): void {
    this.child.stdin?.write(keys);
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) {
      const index = this.#screen.indexOf(waiter.text, this.#mark);
      if (index !== -1) {
        this.#mark = index + waiter.text.length;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      } else if (this.#hasExited) {
        // The CLI is gone: fail now, with what it printed, instead of at the test timeout.
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.reject(
          new Error(
            `never saw ${JSON.stringify(waiter.text)}; output:\n${this.#screen.slice(-2000)}`,
          ),
        );
      }
    }
  }
}

const UP = '\u001b[A';

test('the shell in a pty: statement, .tables, Ctrl-C during a long query, .quit, history across runs', async () => {
  const history = join(fixture.dir, 'history');
  const env = { MDQ_HISTORY_FILE: history };

  const first = new Terminal(['sql', '--db', fixture.dbPath], env);
  try {
    await first.waitFor('mdq>');
    first.type('select 41 + 1\r');
    await first.waitFor('...>');
    first.type('as answer;\r');
    await first.waitFor('│ answer │');
    await first.waitFor('│     42 │');

    first.type('.tables\r');
    await first.waitFor('predictions');
    await first.waitFor('scored');

    first.type('select sum(range) from range(1000000000000);\r');
    await first.waitFor('running');
    first.type('\u0003');
    await first.waitFor('mdq: query interrupted');
    await first.waitFor('mdq>');

    first.type('.quit\r');
    expect(await first.exited).toBe(0);
  } finally {
    first.child.kill();
  }

  expect((await readFile(history, 'utf8')).split('\n')).toEqual([
    'select 41 + 1\\nas answer;',
    '.tables',
    'select sum(range) from range(1000000000000);',
    '.quit',
    '',
  ]);

  const second = new Terminal(['sql', '--db', fixture.dbPath], env);
  try {
    await second.waitFor('mdq>');
    second.type(UP);
    second.type(UP);
    second.type(UP);
    await second.waitFor('.tables');
    second.type(UP);
    await second.waitFor('select 41 + 1');
    second.type('\r');
    await second.waitFor('│     42 │');
    second.type('\u0004');
    expect(await second.exited).toBe(0);
  } finally {
    second.child.kill();
  }
});
