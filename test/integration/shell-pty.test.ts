import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeFixtureDb } from './sql-fixture.js';

const REPO = resolve(import.meta.dirname, '../..');
/** How long a test waits for one thing to appear before failing with the screen so far. */
const WAIT_MS = 20_000;

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
      // Bounded, and failing with what the shell printed rather than at the test's timeout.
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) {
          this.#waiters.splice(index, 1);
          reject(this.#failure(text));
        }
      }, WAIT_MS);
      const waiter = {
        text,
        resolve: () => {
          clearTimeout(timer);
          resolveWait();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.push(waiter);
      this.#check();
    });
  }

  #failure(text: string): Error {
    return new Error(`never saw ${JSON.stringify(text)}; output:\n${this.#screen.slice(-2000)}`);
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
        waiter.reject(this.#failure(waiter.text));
      }
    }
  }
}

const UP = '\u001b[A';
const HOME = '\u001b[H';
const LEFT = '\u001b[D';
const ALT_B = '\u001bb';
const CTRL = {
  a: '\u0001',
  c: '\u0003',
  d: '\u0004',
  e: '\u0005',
  k: '\u000b',
  u: '\u0015',
  w: '\u0017',
};

test('the shell in a pty: statement, .tables, Ctrl-C during a long query, .quit, history across runs', async () => {
  const history = join(fixture.dir, 'history');
  const env = { MDQ_HISTORY_FILE: history };

  const first = new Terminal(['sql', '--db', fixture.dbPath], env);
  try {
    await first.waitFor('mdq>');
    first.type('select 41 + 1 -- the answer\r');
    await first.waitFor('...>');
    first.type('as answer;\r');
    await first.waitFor('│ answer │');
    await first.waitFor('│     42 │');

    first.type('.tables\r');
    await first.waitFor('predictions');
    await first.waitFor('scored');

    first.type('select sum(range) from range(1000000000000);\r');
    // Said once the query has run a second: it is running, not about to.
    await first.waitFor('running… (Ctrl-C cancels)');
    first.type(CTRL.c);
    await first.waitFor('mdq: query interrupted');
    await first.waitFor('mdq>');

    first.type('.quit\r');
    expect(await first.exited).toBe(0);
  } finally {
    first.child.kill();
  }

  expect((await readFile(history, 'utf8')).split('\n')).toEqual([
    'select 41 + 1 -- the answer\\nas answer;',
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
    // A statement typed over lines comes back as one line that means the same.
    second.type(UP);
    await second.waitFor('select 41 + 1 /* the answer */ as answer;');
    second.type('\r');
    await second.waitFor('│     42 │');
    second.type(CTRL.d);
    expect(await second.exited).toBe(0);
  } finally {
    second.child.kill();
  }
});

test('the shell edits lines as bash does, completes names with Tab, and fits or expands results', async () => {
  const shell = new Terminal(['sql', '--db', fixture.dbPath], {
    MDQ_HISTORY_FILE: join(fixture.dir, 'history-editing'),
  });
  /**
   * Types keys and waits for the shell to echo `echo` (what readline writes back: the text
   * typed, or what a completion adds), so a Tab is never sent with other keys: readline takes
   * keys that arrive together for a paste and inserts its tabs as they are.
   */
  const type = async (keys: string, echo = keys) => {
    shell.type(keys);
    await shell.waitFor(echo);
  };
  try {
    await shell.waitFor('mdq>');
    // Home, then Right over `select '`, and a character in the middle.
    await type("select 'b' as x;");
    shell.type(`${HOME}\u001b[C\u001b[C\u001b[C\u001b[C\u001b[C\u001b[C\u001b[C\u001b[Ca\r`);
    await shell.waitFor('│ ab │');
    // Ctrl-W takes the last word; Ctrl-A/Ctrl-E go to the ends.
    await type('as five junk');
    shell.type(CTRL.w);
    shell.type(`${CTRL.a}select 5 ${CTRL.e};\r`);
    await shell.waitFor('│    5 │');
    // Alt-B back over two words, Ctrl-K cuts the rest; Left moves within the line.
    await type('select 6 as six wrong');
    shell.type(`${ALT_B}${ALT_B}${CTRL.k}`);
    await type('sechs;');
    shell.type(`${LEFT}${LEFT}${LEFT}${LEFT}${LEFT}${LEFT}${CTRL.k}zahl;\r`);
    await shell.waitFor('│ zahl │');
    // Ctrl-U drops the line typed so far.
    await type('select nonsense');
    shell.type(`${CTRL.u}select 8 as acht;\r`);
    await shell.waitFor('│    8 │');

    // Tab completes a column, a table, a dot-command.
    await type('select distinct _serv');
    await type('\t', 'ice'); // _serv → _service
    await type(' as svc from inp');
    await type('\t', 'uts'); // inp → inputs
    shell.type(' order by 1;\r');
    await shell.waitFor('│ irisapp │');
    await shell.waitFor('│ other   │');
    await type('.sch');
    await type('\t', 'ema'); // .sch → .schema
    await type(' predic');
    await type('\t', 'tions'); // predic → predictions
    shell.type('\r');
    // DuckDB's key/default/extra columns are NULL throughout: left out.
    await shell.waitFor('│ column_name     │ column_type │ null │');

    // 30 columns do not fit 120: the middle ones are left out and said so.
    const wide = Array.from({ length: 30 }, (_, index) => `'v${index}' as column_${index}`);
    shell.type(`select ${wide.join(', ')};\r`);
    await shell.waitFor('of 30 columns shown');
    shell.type('\\x\r');
    await shell.waitFor('Expanded display is on.');
    shell.type('select 1 as a, null as b;\r');
    await shell.waitFor('-[ RECORD 1 ]');
    await shell.waitFor('a | 1');
    await shell.waitFor('b | NULL');

    shell.type(CTRL.d);
    expect(await shell.exited).toBe(0);
  } finally {
    shell.child.kill();
  }
});
