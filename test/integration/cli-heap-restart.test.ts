import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PULL_HEAP_FLAGS } from '../../cli/heap-flags.js';
import { queryDb } from '../helpers/query-db.js';
import { runProcess } from '../helpers/run-process.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { AKS_ARCHIVE, aksPullArgs, writeArchive } from './pull-archives.js';

// The real CLI in a child process, so the restart (process.execve) really happens. A preload
// records every Node start of the command: its pid and its Node flags.
let tmp: { path: string; cleanup: () => Promise<void> };
let probe: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-heap-restart-');
  probe = join(tmp.path, 'probe.mjs');
  await writeFile(
    probe,
    `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.PROBE_LOG, JSON.stringify({ pid: process.pid, execArgv: process.execArgv }) + '\\n');
`,
  );
});
afterAll(async () => {
  await tmp?.cleanup();
});

interface Start {
  pid: number;
  execArgv: string[];
}

async function runCli(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const log = join(tmp.path, `${name}.log`);
  await writeFile(log, '');
  const run = await runProcess(
    process.execPath,
    ['--import', 'tsx', '--import', probe, 'cli/main.ts', ...args],
    { ...process.env, CI: 'true', PROBE_LOG: log, ...env },
  );
  const starts = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Start);
  return { ...run, starts };
}

test('mdq pull replaces its own process with one under the heap flags, and pulls', async () => {
  const root = join(tmp.path, 'archive');
  await writeArchive(root, AKS_ARCHIVE);
  const db = join(tmp.path, 'pull.duckdb');
  const run = await runCli('pull', aksPullArgs(root, db));
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/^mdq pull: 6 blobs loaded/);
  // Two starts of the same process: the first without the flags, the second (after execve,
  // same pid, the caller's --import preloads kept) with them.
  expect(run.starts.map((start) => start.pid)).toEqual([run.pid, run.pid]);
  expect(run.starts[0]?.execArgv).not.toContain(PULL_HEAP_FLAGS[0]);
  expect(run.starts[1]?.execArgv).toEqual([
    ...PULL_HEAP_FLAGS,
    '--import',
    'tsx',
    '--import',
    probe,
  ]);
  expect(await queryDb(db, 'select count(*)::int as n from inputs')).toEqual([{ n: 6 }]);
});

test('the restarted pull keeps exit codes and one-line errors', async () => {
  const run = await runCli('usage', ['pull', '--from', '2024-01-01']);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe('mdq: --service is required\nhint: run mdq pull --help\n');
  expect(run.starts).toHaveLength(2);
});

test('mdq sql starts once, and heap flags in NODE_OPTIONS stop the restart', async () => {
  const sql = await runCli('sql', ['sql', 'select 42 as answer', '--db', ':memory:']);
  expect(sql.starts).toHaveLength(1);
  const chosen = await runCli('chosen', ['pull', '--from', '2024-01-01'], {
    NODE_OPTIONS: '--max-semi-space-size=8',
  });
  expect(chosen.code).toBe(2);
  expect(chosen.starts).toHaveLength(1);
});
