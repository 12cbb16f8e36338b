import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BENCH_SERVICE, benchEncoders, encodePair, FIRST_DAY } from '../archive.js';
import { runMeasured } from '../measured-child.js';
import { countPulledRows } from '../scenarios/mdq-pull.js';

const DAY_MS = 86_400_000;
const BLOB_BYTES = 8 * 1024 * 1024;
const CLI = 'dist/cli/main.js';

export interface OutputDatabase {
  dbPath: string;
  /** Rows in `inputs` (the result the bench writes out). */
  rows: number;
}

/**
 * A database as a user has it: an AKS archive written by mdq's own encoder (one row per
 * request, the common shape) into a local folder, then `mdq pull --source <folder>` with the
 * built CLI. Built once per bench run; every measurement reads the same file.
 */
export async function buildOutputDatabase(
  dir: string,
  inputRows: number,
  days: number,
): Promise<OutputDatabase> {
  await rm(dir, { recursive: true, force: true });
  const archive = join(dir, 'archive');
  const encoders = benchEncoders();
  const startMs = Date.UTC(FIRST_DAY.year, FIRST_DAY.month - 1, FIRST_DAY.day);
  const spec = { days, blobsPerDay: 1, blobBytes: BLOB_BYTES, rowsPerRequest: 1 };
  let written = 0;
  for (let day = 0; day < days; day++) {
    const dayTarget = Math.ceil((inputRows * (day + 1)) / days);
    for (let part = 0; written < dayTarget; part++) {
      const blobBytes = Math.min(BLOB_BYTES, (dayTarget - written) * 100);
      const pair = encodePair(encoders, startMs + day * DAY_MS, { ...spec, blobBytes });
      for (const blob of [pair.inputs, pair.predictions]) {
        const stem = part === 0 ? blob.stem : blob.stem.replace('.csv', `-${part}.csv`);
        await mkdir(join(archive, blob.folder), { recursive: true });
        await writeFile(join(archive, blob.folder, stem), blob.text);
      }
      written += pair.inputs.rows;
    }
  }
  const dbPath = join(dir, 'mdq.duckdb');
  const last = new Date(startMs + (days - 1) * DAY_MS).toISOString().slice(0, 10);
  await runMeasured(CLI, [
    'pull',
    '--source',
    archive,
    '--service',
    BENCH_SERVICE,
    '--from',
    new Date(startMs).toISOString().slice(0, 10),
    '--to',
    last,
    '--db',
    dbPath,
  ]);
  await rm(archive, { recursive: true, force: true });
  const counts = await countPulledRows(dbPath);
  return { dbPath, rows: counts.inputs ?? 0 };
}
