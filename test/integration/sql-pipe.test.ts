import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { isStreamingPlan } from '../../src/query/pipe-target.js';
import { cli, shellLine } from '../helpers/cli-line.js';
import { runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `mdq sql … | reader`: for a query that streams, DuckDB writes the shell's pipe itself
 * (src/query/pipe-target.ts). The bytes must be those of `-o`, a reader that leaves must end
 * mdq with exit 0, and one that is gone before mdq starts must not hang it.
 */
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let dbPath: string;
const ROWS = 50_000;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pipe-');
  dbPath = join(tmp.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    await db.connection.run(`create table t as select range as id,
      'a,"b"' || chr(10) || range as text, timestamp '2026-01-01' + to_seconds(range) as ts,
      range / 7 as x, interval (range) minute as wait, [range, range + 1] as pair,
      from range(${ROWS})`);
    await db.connection.run(
      'create table blobs as select range as id, range % 3 as day from range(10)',
    );
    await db.connection.run(
      'create view v as select t.*, b.day from t left join blobs b on t.id % 10 = b.id',
    );
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await tmp?.cleanup();
});

/** Runs a bash line; `$MDQ` is the CLI. Fails the test on a hang. */
async function bash(line: string) {
  return runProcess('timeout', ['60', 'bash', '-c', `MDQ=(${shellLine(cli([]))}); ${line}`], {
    ...process.env,
    NO_COLOR: '1',
  });
}

function sortedLines(text: string): string[] {
  return text.split('\n').sort();
}

describe.each(['csv', 'ndjson', 'json'])('%s into a shell pipe', (format) => {
  test('the same rows as -o writes, whatever order they come in', async () => {
    const piped = join(tmp.path, `piped.${format}`);
    const written = join(tmp.path, `written.${format}`);
    const query = 'select * from v';
    const args = `--db ${shellLine([dbPath])} --format ${format} ${shellLine([query])}`;
    const run = await bash(
      `set -o pipefail; "\${MDQ[@]}" sql ${args} | cat > ${shellLine([piped])} && "\${MDQ[@]}" sql ${args} -o ${shellLine([written])}`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [a, b] = [await readFile(piped, 'utf8'), await readFile(written, 'utf8')];
    expect(a.length).toBeGreaterThan(ROWS * 40);
    if (format === 'json') {
      const byId = (text: string) =>
        (JSON.parse(text) as Array<{ id: number }>).sort((p, q) => p.id - q.id);
      expect(byId(a)).toEqual(byId(b));
    } else {
      expect(sortedLines(a)).toEqual(sortedLines(b));
    }
  });
});

test('DuckDB writes the pipe itself: mdq makes no FIFO to pass the bytes through', async () => {
  const folder = join(tmp.path, 'tmpdir');
  await mkdir(folder, { recursive: true });
  const query = shellLine([`select * from range(${ROWS * 20})`]);
  // Once the first bytes are in, the COPY runs: a FIFO of mdq's would be in TMPDIR now.
  const run = await bash(
    `set -o pipefail; TMPDIR=${shellLine([folder])} "\${MDQ[@]}" sql --db ${shellLine([dbPath])} --format csv ${query} | { head -c 1 > /dev/null; ls ${shellLine([folder])} | grep -c mdq-out; cat > /dev/null; }; echo "status=\${PIPESTATUS[0]}"`,
  );
  expect(run.stderr).toBe('');
  expect(run.stdout.trim().split('\n')).toEqual(['0', 'status=0']);
});

test('a reader gone before mdq starts: exit 0 at once, no error, no hang', async () => {
  const query = shellLine([`select * from range(${ROWS * 20})`]);
  const run = await bash(
    `{ sleep 1; "\${MDQ[@]}" sql --db ${shellLine([dbPath])} --format csv ${query}; echo "mdq=$?" >&2; } | true`,
  );
  expect(run.code).toBe(0);
  expect(run.stderr.trim()).toBe('mdq=0');
});

test('a reader that leaves after a few rows: exit 0, no error', async () => {
  const query = shellLine([`select * from range(${ROWS * 200})`]);
  const run = await bash(
    `set -o pipefail; "\${MDQ[@]}" sql --db ${shellLine([dbPath])} --format ndjson ${query} | head -n 3 > /dev/null; echo "status=$?"`,
  );
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('status=0');
});

test('only plans that stream are written into the pipe by DuckDB; the rest go through mdq', async () => {
  const db = await openDatabase(dbPath);
  try {
    const streams = (sql: string) => isStreamingPlan(db.connection, sql);
    expect(await streams('select * from t')).toBe(true);
    expect(await streams('select id, x * 2 from t where id > 5 limit 10')).toBe(true);
    // mdq's views join the small blobs table: its hash table is built at once.
    expect(await streams('select * from v')).toBe(true);
    expect(await streams('select * from t order by x')).toBe(false);
    expect(await streams('select x, count(*) from t group by x')).toBe(false);
    // A join that must hash a million rows first holds the rows back.
    const big = 'select * from range(1000000) a join range(2000000) b on a.range = b.range';
    expect(await streams(big)).toBe(false);
    expect(await streams('not sql')).toBe(false);
  } finally {
    db.close();
  }
});
