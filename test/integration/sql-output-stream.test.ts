import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeQuery } from '../../cli/render/output.js';
import { InterruptedError } from '../../src/errors.js';
import { type Database, openDatabase } from '../../src/query/database.js';
import { settingBytes } from '../../src/query/stream-memory.js';
import { type ProcessRun, runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * How `mdq sql` streams a SELECT out of DuckDB (text-result.ts): through a named pipe, or a
 * temporary file where the system has no `mkfifo`; an abort, the block-cache cap and clean-up.
 */
const REPO = resolve(import.meta.dirname, '../..');

let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let dbPath: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-stream-');
  dbPath = join(tmp.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run(
      `create table t as select range as n, timestamp '2024-01-01' + to_seconds(range) as ts from range(50000)`,
    );
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await tmp?.cleanup();
});

const QUERY = 'select n, ts from t order by n';

/** The CLI, from source, in a child process with its own temporary folder and PATH. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  const main = resolve(REPO, 'cli/main.ts');
  return runProcess(process.execPath, ['--import', 'tsx', main, ...args], {
    ...process.env,
    ...env,
  });
}

test('with or without mkfifo on the system the bytes are the same, and no temporary file stays', async () => {
  const fifoTmp = join(tmp.path, 'tmp-fifo');
  const fileTmp = join(tmp.path, 'tmp-file');
  await mkdir(fifoTmp);
  await mkdir(fileTmp);
  const args = ['sql', '--db', dbPath, '--format', 'csv', QUERY];
  const withFifo = await runCli(args, { TMPDIR: fifoTmp });
  // No PATH: `mkfifo` cannot be found, as on a system without it.
  const withFile = await runCli(args, { TMPDIR: fileTmp, PATH: '' });
  expect(withFifo.stderr).toBe('');
  expect(withFile.stderr).toBe('');
  expect(withFifo.stdout.split('\n')).toHaveLength(50_002);
  expect(withFifo.stdout.split('\n')[2]).toBe('1,2024-01-01T00:00:01');
  expect(withFile.stdout).toBe(withFifo.stdout);
  // Written as DuckDB's threads produce rows, yet in the ORDER BY's order, all 50,000 of them.
  const numbers = withFifo.stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[0]));
  expect(numbers).toEqual(Array.from({ length: 50_000 }, (_, n) => n));
  // Only mdq's own (`mdq-out-…`): Node and tsx keep caches there too.
  const ours = async (folder: string) =>
    (await readdir(folder)).filter((name) => name.startsWith('mdq-'));
  expect(await ours(fifoTmp)).toEqual([]);
  expect(await ours(fileTmp)).toEqual([]);
});

test('stdout redirected to a file: the rows land whole, and `>>`, `2>&1` or earlier output are kept', async () => {
  const main = resolve(REPO, 'cli/main.ts');
  const mdq = `'${process.execPath}' --import tsx '${main}' sql --db '${dbPath}' --format csv`;
  const query = `'${QUERY} limit 3'`;
  const file = join(tmp.path, 'redirected.csv');
  const expected = 'n,ts\n0,2024-01-01T00:00:00\n1,2024-01-01T00:00:01\n2,2024-01-01T00:00:02\n';
  const cases: [string, string][] = [
    [`${mdq} ${query} > '${file}'`, expected],
    [`echo before > '${file}'; ${mdq} ${query} >> '${file}'`, `before\n${expected}`],
    [`{ echo before; ${mdq} ${query}; } > '${file}'`, `before\n${expected}`],
    [`${mdq} ${query} > '${file}' 2>&1`, expected],
  ];
  for (const [command, content] of cases) {
    const run = await runProcess('sh', ['-c', command], process.env);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(content);
  }
});

/** A sink that runs `onFirst` before taking its first chunk. */
function sinkWith(onFirst: () => Promise<void>): { sink: Writable; bytes: () => number } {
  let bytes = 0;
  let isFirst = true;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (!isFirst) {
        callback();
        return;
      }
      isFirst = false;
      onFirst().then(() => callback(), callback);
    },
  });
  return { sink, bytes: () => bytes };
}

async function withDb<T>(use: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(dbPath, { mustExist: true });
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

async function memoryLimit(db: Database): Promise<string> {
  const reader = await db.connection.runAndReadAll("select current_setting('memory_limit')");
  return String(reader.getRows()[0]?.[0]);
}

test("DuckDB's memory limit is lowered while rows stream (its block cache held small) and restored after", async () => {
  await withDb(async (db) => {
    const before = await memoryLimit(db);
    let during = Number.NaN;
    const { sink } = sinkWith(async () => {
      const side = await db.connect();
      try {
        const reader = await side.runAndReadAll("select current_setting('memory_limit')");
        during = settingBytes(String(reader.getRows()[0]?.[0]));
      } finally {
        side.closeSync();
      }
    });
    const summary = await writeQuery(db.connection, QUERY, sink, {
      format: 'ndjson',
      openSideConnection: () => db.connect(),
    });
    expect(summary.rowsWritten).toBe(50_000);
    // ndjson's first write is rows (csv's would be the header, written before any row).
    expect(during).toBeLessThan(settingBytes(before) / 2);
    expect(await memoryLimit(db)).toBe(before);
    // A limit someone set is put back too.
    await db.connection.run("set memory_limit = '3GB'");
    const chosen = await memoryLimit(db);
    await writeQuery(db.connection, QUERY, new Writable({ write: (_c, _e, done) => done() }), {
      format: 'csv',
      openSideConnection: () => db.connect(),
    });
    expect(await memoryLimit(db)).toBe(chosen);
  });
});

test('a wide result streams under the lowered memory limit without running out of it', async () => {
  await withDb(async (db) => {
    const columns = Array.from({ length: 60 }, (_, i) => `random() * ${i} as c${i}`).join(', ');
    await db.connection.run(
      `create or replace table wide as select range as id, ${columns} from range(300000)`,
    );
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    });
    const summary = await writeQuery(db.connection, 'select * from wide', sink, {
      format: 'csv',
      openSideConnection: () => db.connect(),
    });
    expect(summary.rowsWritten).toBe(300_000);
    expect(bytes).toBeGreaterThan(300_000 * 60 * 10);
  });
});

test('an abort while rows stream ends with InterruptedError and the connection works after', async () => {
  await withDb(async (db) => {
    const controller = new AbortController();
    const { sink } = sinkWith(async () => controller.abort());
    const big = 'select range as n from range(100000000)';
    await expect(
      writeQuery(db.connection, big, sink, { format: 'csv', signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError);
    const after = await db.connection.runAndReadAll('select 42');
    expect(after.getRows()).toEqual([[42]]);
  });
});

test('an output that fails mid-way stops DuckDB: the error is the output’s, the connection works after', async () => {
  await withDb(async (db) => {
    let writes = 0;
    const sink = new Writable({
      write(_chunk, _encoding, callback) {
        writes += 1;
        callback(writes > 3 ? new Error('disk full') : null);
      },
    });
    await expect(
      writeQuery(db.connection, 'select range as n from range(100000000)', sink, { format: 'csv' }),
    ).rejects.toThrow('disk full');
    const after = await db.connection.runAndReadAll('select 1');
    expect(after.getRows()).toEqual([[1]]);
  });
});
