import type { DuckDBConnection } from '@duckdb/node-api';
import type { BlobPath } from '../../layout/types.js';
import { quoteLiteral } from '../sql.js';
import { BLOBS, storedTable, tableColumns } from './schema.js';
import type { StagedFile } from './stage.js';

/** The first id no blob of the database has: a pull numbers its blobs from it. */
export async function nextBlobId(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT COALESCE(max(id) + 1, 0) FROM ${BLOBS}`);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}

/**
 * Registers the batch's loaded blobs with their path facts, from `_mdq_files`; runs inside the
 * batch's transaction, after the rows went in. A v2 blob's rows carry their own model version.
 */
export async function registerBlobs(connection: DuckDBConnection, source: string): Promise<void> {
  await connection.run(`INSERT INTO ${BLOBS}
    SELECT id, ${quoteLiteral(source)}, blob, service, model,
      CASE WHEN layout = 'v2' THEN NULL ELSE model_version END, identifier, day, stream
    FROM _mdq_files WHERE status = 'loaded' AND rows > 0`);
}

/** A stream's id by its (service, model, model version); `loadStreams` makes one. */
export type StreamIds = (service: string, model: string, version: string | null) => number;

/** The model version a blob's stream is keyed by: v2 rows carry theirs, so v2 blobs have none. */
export function streamVersion(path: BlobPath): string | null {
  return path.layout === 'v2' ? null : path.modelVersion;
}

/**
 * Stream ids by (service, model, model version), from the database's blobs; a combination not
 * seen before gets the next free id. Stored on every row (an integer, constant per blob, so
 * almost free), it lets `scored` join and deduplicate on the stored tables alone. Planned blobs
 * and the blobs of a migrated legacy database both get theirs here.
 */
export async function loadStreams(connection: DuckDBConnection): Promise<StreamIds> {
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT service, model, model_version, stream FROM ${BLOBS} WHERE stream IS NOT NULL`,
  );
  const ids = new Map<string, number>();
  let next = 0;
  for (const [service, model, version, stream] of reader.getRowsJson()) {
    ids.set(JSON.stringify([service, model, version]), Number(stream));
    next = Math.max(next, Number(stream) + 1);
  }
  return (service, model, version) => {
    const key = JSON.stringify([service, model, version]);
    let id = ids.get(key);
    if (id === undefined) {
      id = next++;
      ids.set(key, id);
    }
    return id;
  };
}

/**
 * Deletes the rows of blobs that changed since they were loaded (they load again whole), and
 * their blob entries; returns the deleted blob ids by table. Blobs carried over from a
 * database made before blob ids have no source recorded; they match by name, as rows always
 * did there.
 */
export async function deleteReplacedRows(
  connection: DuckDBConnection,
  source: string,
  files: readonly StagedFile[],
): Promise<Map<string, number[]>> {
  const byTable = new Map<string, string[]>();
  for (const { planned } of files) {
    if (planned.previous?.status === 'loaded') {
      const list = byTable.get(planned.previous.table) ?? [];
      list.push(quoteLiteral(planned.blob.name));
      byTable.set(planned.previous.table, list);
    }
  }
  const deleted = new Map<string, number[]>();
  for (const [table, blobs] of byTable) {
    const reader = await connection.runAndReadAll(`SELECT id FROM ${BLOBS}
      WHERE blob IN (${blobs.join(', ')}) AND (source = ${quoteLiteral(source)} OR source IS NULL)`);
    const ids = reader.getRowsJson().map(([id]) => Number(id));
    if (ids.length === 0) {
      continue;
    }
    if ((await tableColumns(connection, table)).size > 0) {
      await connection.run(
        `DELETE FROM ${storedTable(table)} WHERE _blob_id IN (${ids.join(', ')})`,
      );
    }
    await connection.run(`DELETE FROM ${BLOBS} WHERE id IN (${ids.join(', ')})`);
    deleted.set(table, ids);
  }
  return deleted;
}
