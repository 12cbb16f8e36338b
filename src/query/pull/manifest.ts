import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../sql.js';

/** What the manifest knows about one blob of a source. */
export interface ManifestEntry {
  etag: string;
  size: number;
  status: string;
  table: string;
  /** Why it was quarantined ('' otherwise). */
  error: string;
}

/** `mdq ls` and every incremental pull read this table (design.md, data model). */
export async function ensureManifest(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS mdq_manifest (
    source VARCHAR NOT NULL,
    blob VARCHAR NOT NULL,
    layout VARCHAR,
    service VARCHAR,
    model VARCHAR,
    model_version VARCHAR,
    identifier VARCHAR,
    day DATE,
    table_name VARCHAR,
    etag VARCHAR,
    size BIGINT,
    rows BIGINT,
    status VARCHAR,
    error VARCHAR,
    loaded_at TIMESTAMP,
    PRIMARY KEY (source, blob)
  )`);
}

export async function readManifest(
  connection: DuckDBConnection,
  source: string,
): Promise<Map<string, ManifestEntry>> {
  const reader = await connection.runAndReadAll(
    `SELECT blob, etag, size, status, table_name, error FROM mdq_manifest WHERE source = ${quoteLiteral(source)}`,
  );
  const entries = new Map<string, ManifestEntry>();
  for (const row of reader.getRowObjectsJson()) {
    entries.set(String(row.blob), {
      etag: String(row.etag ?? ''),
      size: Number(row.size ?? -1),
      status: String(row.status ?? ''),
      table: String(row.table_name ?? ''),
      error: String(row.error ?? ''),
    });
  }
  return entries;
}

/** Records the batch's blobs from `_mdq_files`; runs inside the batch's transaction. */
export async function recordBlobs(connection: DuckDBConnection, source: string): Promise<void> {
  await connection.run(`INSERT OR REPLACE INTO mdq_manifest
    SELECT ${quoteLiteral(source)}, blob, layout, service, model, manifest_version, identifier,
      day, table_name, etag, size, rows, status, error, now()::TIMESTAMP
    FROM _mdq_files`);
}

/** Manifest status of a quarantined blob the user chose to stop counting (`--dismiss-quarantined`). */
export const DISMISSED = 'dismissed';

/**
 * Marks quarantined blobs dismissed: still listed with their reason, no longer failing pulls.
 * A dismissed blob that changes is loaded again (plan.ts compares etags, not statuses).
 */
export async function dismissQuarantined(
  connection: DuckDBConnection,
  source: string,
  blobs: readonly string[],
): Promise<void> {
  if (blobs.length === 0) {
    return;
  }
  await connection.run(
    `UPDATE mdq_manifest SET status = ${quoteLiteral(DISMISSED)}
      WHERE source = ${quoteLiteral(source)} AND status = 'quarantined'
        AND blob IN (${blobs.map(quoteLiteral).join(', ')})`,
  );
}
