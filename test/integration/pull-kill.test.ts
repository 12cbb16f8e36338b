import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { pullFolder } from '../helpers/pull-folder.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { type Archive, writeArchive } from './pull-archives.js';

const ROOT = 'sub1/rg1/ws1/irisapp/iris/3';
const GEN = '1440,sub1/rg1/ws1,irisapp,iris,3,00000000-0000-0000-0000-000000000000';
const HEADER =
  'x,y,$aml_dc_correlation_id,$aml_dc_scoring_timestamp,$aml_dc_boundary,$aml_workspace,$aml_service_name,$aml_model_name,$aml_model_version,$aml_request_id';

/** 20 days × (inputs + predictions), 3 rows each: 40 blobs, loaded one per transaction. */
function archive(): Archive {
  const files: Archive = {};
  for (let day = 1; day <= 20; day += 1) {
    const d = String(day).padStart(2, '0');
    const rows = (value: (i: number) => string) =>
      [0, 1, 2]
        .map((i) => `${value(i)},${i},c${day}-${i % 2},2024-01-${d}T10:00:0${i},${GEN}`)
        .join('\n');
    files[`${ROOT}/inputs/2024/01/${d}/inputs.csv`] =
      `${HEADER}\r\n${rows((i) => `${day}.${i}`)}\n`;
    files[`${ROOT}/predictions/2024/01/${d}/predictions.csv`] =
      `${HEADER.replace('x,y', 'label,y')}\r\n${rows((i) => `p${day}-${i}`)}\n`;
  }
  return files;
}

let tmp: { path: string; cleanup: () => Promise<void> };
let source: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-kill-');
  source = join(tmp.path, 'source');
  await writeArchive(source, archive());
});
afterAll(async () => {
  await tmp?.cleanup();
});

async function snapshot(dbPath: string) {
  const db = await openDatabase(dbPath, { mustExist: true });
  const q = async (sql: string) => (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  try {
    return {
      inputs: await q('SELECT * FROM inputs ORDER BY _blob, _correlation_id, _row'),
      predictions: await q('SELECT * FROM predictions ORDER BY _blob, _correlation_id, _row'),
      manifest: await q(
        'SELECT blob, table_name, etag, size, rows, status FROM mdq_manifest ORDER BY blob',
      ),
      scored: await q('SELECT count(*) AS n, count(*) FILTER (WHERE _matched) AS m FROM scored'),
    };
  } finally {
    db.close();
  }
}

let clean: Awaited<ReturnType<typeof snapshot>> | undefined;

/** What an uninterrupted pull of the archive gives (computed once). */
async function cleanSnapshot() {
  if (!clean) {
    const dbPath = join(tmp.path, 'clean.duckdb');
    await pullFolder(source, dbPath);
    clean = await snapshot(dbPath);
  }
  return clean;
}

/** Blobs whose rows in the tables differ from what the manifest says was committed. */
async function inconsistentBlobs(dbPath: string) {
  if (!existsSync(dbPath)) {
    return [];
  }
  const db = await openDatabase(dbPath, { mustExist: true });
  try {
    const tables = (
      await db.connection.runAndReadAll(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name IN ('inputs', 'predictions')",
      )
    ).getRowObjectsJson();
    if (tables.length < 2) {
      return [];
    }
    const reader = await db.connection.runAndReadAll(`
      WITH loaded AS (
        SELECT _blob, count(*) AS n FROM inputs GROUP BY 1
        UNION ALL SELECT _blob, count(*) FROM predictions GROUP BY 1)
      SELECT coalesce(m.blob, l._blob) AS blob FROM mdq_manifest m
      FULL JOIN loaded l ON l._blob = m.blob
      WHERE m.rows IS DISTINCT FROM l.n`);
    return reader.getRowObjectsJson();
  } finally {
    db.close();
  }
}

/** Runs the child pull and SIGKILLs it when it prints `killAt`; resolves with what it printed. */
function pullAndKill(dbPath: string, killAt: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'pull-kill-child.ts'), source, dbPath, '1'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(import.meta.dirname, '..', '..') },
  );
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.split('\n').includes(killAt)) {
        child.kill('SIGKILL');
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) {
        resolve(output);
      } else {
        reject(new Error(`child pull failed (${code}): ${errors}`));
      }
    });
  });
}

test('a pull SIGKILLed mid-way, then re-run, equals a clean pull table for table', async () => {
  const clean = await cleanSnapshot();
  expect(clean.scored).toEqual([{ n: '60', m: '60' }]);

  for (const killAt of ['downloaded 1', 'committed 3', 'committed 17']) {
    const dbPath = join(tmp.path, `killed-${killAt.replace(' ', '-')}.duckdb`);
    const printed = await pullAndKill(dbPath, killAt);
    expect(printed).not.toContain('done'); // it really died mid-way
    expect(existsSync(`${dbPath}.staging`)).toBe(true); // left behind by the kill
    expect(await inconsistentBlobs(dbPath)).toEqual([]);
    const resumed = await pullFolder(source, dbPath);
    expect(resumed.blobsSkipped + resumed.blobsLoaded).toBe(40);
    expect(existsSync(`${dbPath}.staging`)).toBe(false);
    expect(await snapshot(dbPath)).toEqual(clean);
  }
});

test('Ctrl-C mid-pull stops after the batch in hand; the next pull completes it exactly', async () => {
  const dbPath = join(tmp.path, 'interrupted.duckdb');
  const controller = new AbortController();
  await expect(
    pullFolder(source, dbPath, {
      batch: { maxBlobs: 1 },
      concurrency: 1,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.batchesCommitted === 2) {
          controller.abort();
        }
      },
    }),
  ).rejects.toMatchObject({ code: 'interrupted', exitCode: 130 });
  expect(await inconsistentBlobs(dbPath)).toEqual([]);
  expect(existsSync(`${dbPath}.staging`)).toBe(false);
  const resumed = await pullFolder(source, dbPath);
  expect(resumed.blobsSkipped).toBeGreaterThanOrEqual(2);
  expect(resumed.blobsSkipped + resumed.blobsLoaded).toBe(40);
  expect(await snapshot(dbPath)).toEqual(await cleanSnapshot());
});
