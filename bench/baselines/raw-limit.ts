import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { DuckDBInstance } from '@duckdb/node-api';
import pLimit from 'p-limit';
import { AKS_GENERATED_COLUMNS as AKS_COLUMNS } from '../../src/layout/columns.js';
import { STORAGE_VERSION } from '../../src/query/database.js';
import { quoteIdentifier, quoteLiteral } from '../../src/query/sql.js';
import { IDENTIFIERS, INPUT_COLUMNS, PREDICTION_COLUMNS } from '../archive.js';
import { secondsSince } from '../stats.js';

export interface LimitRun {
  downloadSeconds: number;
  loadSeconds: number;
  seconds: number;
  bytes: number;
  rows: number;
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
): Promise<LimitRun> {
  const start = process.hrtime.bigint();
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
  const loadStart = process.hrtime.bigint();
  const rows = await loadKnownColumns(
    join(dir, 'limit.duckdb'),
    names.map((name) => join(dir, 'files', name)),
  );
  const loadSeconds = secondsSince(loadStart);
  return {
    downloadSeconds,
    loadSeconds,
    seconds: secondsSince(start),
    bytes: sizes.reduce((a, b) => a + b, 0),
    rows,
  };
}

const AKS_TYPES: Record<string, string> = {
  $aml_dc_scoring_timestamp: 'TIMESTAMP',
  $aml_dc_boundary: 'INTEGER',
};

/** One read_csv per identifier with explicit columns (tooling-notes §5: ~200–260 MB/s). */
async function loadKnownColumns(dbPath: string, files: string[]): Promise<number> {
  // The same storage format mdq writes: the limit is the best this DuckDB can do.
  const instance = await DuckDBInstance.create(dbPath, {
    storage_compatibility_version: STORAGE_VERSION,
  });
  const connection = await instance.connect();
  try {
    let rows = 0;
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
      await connection.run(
        `create table ${quoteIdentifier(identifier)} as select * from read_csv([${list}], header = true, columns = {${columns}})`,
      );
      const reader = await connection.runAndReadAll(
        `select count(*) as n from ${quoteIdentifier(identifier)}`,
      );
      rows += Number(reader.getRowObjects()[0]?.n ?? 0);
    }
    return rows;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
