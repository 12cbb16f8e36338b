import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay } from '../../layout/days.js';
import type { StagedFile } from './stage.js';

/**
 * `_mdq_files`: one row per blob of the batch, everything the manifest records about it. The
 * blobs that loaded rows are registered from it in mdq_data.blobs (their path facts),
 * and the manifest is written from it in one statement. Filled through the appender: a
 * thousand-row VALUES statement cost more than loading the rows themselves.
 */
export async function createFileMap(
  connection: DuckDBConnection,
  files: readonly StagedFile[],
): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE _mdq_files_raw (
    id BIGINT, blob VARCHAR, layout VARCHAR, service VARCHAR, model VARCHAR,
    model_version VARCHAR, manifest_version VARCHAR, identifier VARCHAR, day VARCHAR,
    table_name VARCHAR, etag VARCHAR, size BIGINT, rows BIGINT, status VARCHAR, error VARCHAR,
    stream BIGINT)`);
  const appender = await connection.createAppender('_mdq_files_raw', 'main', 'temp');
  try {
    for (const staged of files) {
      const { blobId, stream, blob, path, table } = staged.planned;
      const quarantined = staged.quarantine !== undefined;
      const version = path.layout === 'v2' ? staged.modelVersion : path.modelVersion;
      appender.appendBigInt(BigInt(blobId));
      appender.appendVarchar(blob.name);
      appender.appendVarchar(path.layout);
      appender.appendVarchar(path.service);
      appender.appendVarchar(path.model);
      appender.appendVarchar(path.modelVersion);
      appendText(appender, version);
      appender.appendVarchar(path.identifier);
      appender.appendVarchar(formatDay(path.day));
      appender.appendVarchar(table);
      appender.appendVarchar(blob.etag);
      appender.appendBigInt(BigInt(blob.size));
      appender.appendBigInt(BigInt(quarantined ? 0 : staged.rows));
      appender.appendVarchar(quarantined ? 'quarantined' : 'loaded');
      appendText(appender, staged.quarantine);
      appender.appendBigInt(BigInt(stream));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await connection.run(`CREATE OR REPLACE TEMP TABLE _mdq_files AS
    SELECT * REPLACE (CAST(day AS DATE) AS day) FROM _mdq_files_raw`);
  await connection.run('DROP TABLE _mdq_files_raw');
}

/** A blob the careful load found unreadable: the manifest records it as quarantined. */
export async function markQuarantined(
  connection: DuckDBConnection,
  staged: StagedFile,
  reason: string,
): Promise<void> {
  const prepared = await connection.prepare(
    "UPDATE _mdq_files SET status = 'quarantined', error = $1, rows = 0 WHERE id = $2",
  );
  prepared.bindVarchar(1, reason);
  prepared.bindBigInt(2, BigInt(staged.planned.blobId));
  await prepared.run();
}

function appendText(
  appender: Awaited<ReturnType<DuckDBConnection['createAppender']>>,
  value: string | undefined,
): void {
  if (value === undefined) {
    appender.appendNull();
  } else {
    appender.appendVarchar(value);
  }
}
