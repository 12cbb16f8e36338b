import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ContainerClient } from '@azure/storage-blob';
import pLimit from 'p-limit';
import { AKS_GENERATED_COLUMNS as AKS_COLUMNS } from '../../src/layout/columns.js';
import { STORAGE_VERSION } from '../../src/query/database.js';
import { MIN_BUFFER_SIZE } from '../../src/query/pull/read-staged.js';
import { quoteIdentifier, quoteLiteral } from '../../src/query/sql.js';
import { IDENTIFIERS, INPUT_COLUMNS, PREDICTION_COLUMNS } from '../archive.js';
import { ownCpuSeconds } from '../cpu-seconds.mjs';
import { runMeasured } from '../measured-child.js';
import { secondsSince } from '../stats.js';

export interface LimitRun {
  downloadSeconds: number;
  loadSeconds: number;
  seconds: number;
  bytes: number;
  rows: number;
  /** Peak RSS of the load's process (DuckDB's defaults). */
  loadRssBytes: number;
  /**
   * CPU seconds of the whole job: the download (this process as the client, plus the storage
   * server's share, measured by the caller's `serverCpuSeconds`) and the load's process.
   */
  cpu: { client: number; server: number; load: number };
  /** The downloaded files, there until the caller removes `dir`. */
  files: string[];
}

/**
 * The machine's limit for one pull: the best raw download of the same blobs with
 * @azure/storage-blob (one GET per blob streamed to a file, tuned concurrency, no HEAD), then
 * DuckDB reading those files with the columns known in advance (no sniffing), into a file
 * database as mdq does. No normalising, no manifest, no views: a floor, not a product.
 */
export async function runRawLimit(
  container: ContainerClient,
  dir: string,
  concurrency: number,
  serverCpuSeconds: () => number,
): Promise<LimitRun> {
  const start = process.hrtime.bigint();
  const clientCpu = ownCpuSeconds();
  const serverCpu = serverCpuSeconds();
  const names: string[] = [];
  for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 5000 })) {
    for (const item of page.segment.blobItems) {
      names.push(item.name);
    }
  }
  const limit = pLimit(concurrency);
  const sizes = await Promise.all(
    names.map((name) =>
      limit(async () => {
        const file = join(dir, 'files', name);
        await mkdir(dirname(file), { recursive: true });
        const response = await container.getBlobClient(name).download();
        const body = response.readableStreamBody;
        if (!body) {
          throw new Error(`no body for ${name}`);
        }
        await pipeline(body, createWriteStream(file));
        return response.contentLength ?? 0;
      }),
    ),
  );
  const downloadSeconds = secondsSince(start);
  const cpu = { client: ownCpuSeconds() - clientCpu, server: serverCpuSeconds() - serverCpu };
  const files = names.map((name) => join(dir, 'files', name));
  const load = await loadKnownColumns(join(dir, 'limit.duckdb'), files);
  return {
    downloadSeconds,
    loadSeconds: load.seconds,
    // The load's own time: the child process's start-up is not part of the limit.
    seconds: downloadSeconds + load.seconds,
    bytes: sizes.reduce((a, b) => a + b, 0),
    rows: load.rows,
    loadRssBytes: load.maxRssBytes,
    cpu: { ...cpu, load: load.cpuSeconds },
    files,
  };
}

const AKS_TYPES: Record<string, string> = {
  $aml_dc_scoring_timestamp: 'TIMESTAMP',
  $aml_dc_boundary: 'INTEGER',
};

export interface LoadRun {
  seconds: number;
  rows: number;
  /** Peak RSS of the process that loaded (Node, DuckDB, nothing else). */
  maxRssBytes: number;
  /** CPU seconds of that process, start-up included. */
  cpuSeconds: number;
}

/**
 * One read_csv per identifier with explicit columns (tooling-notes §5: ~200–260 MB/s), in a
 * child process (load-child.mjs) so its peak RSS is DuckDB's alone. `memoryLimit` unset: DuckDB's
 * default (80% of RAM), the best it can do; set: what the same load needs under mdq's limit and
 * read buffer.
 */
export async function loadKnownColumns(
  dbPath: string,
  files: string[],
  memoryLimit?: string,
): Promise<LoadRun> {
  const statements: string[] = [];
  const counts: string[] = [];
  for (const identifier of IDENTIFIERS) {
    const mine = files.filter((file) => file.includes(`/${identifier}/`));
    const features =
      identifier === 'inputs'
        ? INPUT_COLUMNS.map((c) => [c, 'DOUBLE'])
        : PREDICTION_COLUMNS.map((c) => [c, c === 'label' ? 'VARCHAR' : 'DOUBLE']);
    const columns = [...features, ...AKS_COLUMNS.map((c) => [c, AKS_TYPES[c] ?? 'VARCHAR'])]
      .map(([name, type]) => `${quoteLiteral(name as string)}: ${quoteLiteral(type as string)}`)
      .join(', ');
    const list = mine.map(quoteLiteral).join(', ');
    // Under mdq's limit, mdq's read buffer too: DuckDB's default (32 MiB per file read) does
    // not fit in 128 MiB.
    const buffer = memoryLimit ? `, buffer_size = ${MIN_BUFFER_SIZE}` : '';
    statements.push(
      `create table ${quoteIdentifier(identifier)} as select * from read_csv([${list}], header = true, columns = {${columns}}${buffer})`,
    );
    counts.push(`select count(*) from ${quoteIdentifier(identifier)}`);
  }
  // A file, not an argument: 3,000 paths exceed what one argv string may hold.
  const jobFile = `${dbPath}.job.json`;
  await writeFile(
    jobFile,
    JSON.stringify({
      dbPath,
      // The same storage format mdq writes: the limit is the best this DuckDB can do.
      settings: {
        storage_compatibility_version: STORAGE_VERSION,
        // Row order is not part of the result (mdq does not keep it either), and keeping it
        // made this load ~17% slower (1 GB: 4.4-4.7 s against 3.7 s).
        preserve_insertion_order: 'false',
        ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
      },
      statements,
      counts,
    }),
  );
  const run = await runMeasured('bench/baselines/load-child.mjs', [jobFile]);
  const { seconds, rows } = JSON.parse(run.stdout) as { seconds: number; rows: number };
  return { seconds, rows, maxRssBytes: run.maxRssBytes, cpuSeconds: run.cpuSeconds };
}
