import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay } from '../../layout/days.js';
import { quoteLiteral } from '../sql.js';
import type { StagedFile } from './stage.js';

/** What the manifest knows about one blob of a source. */
export interface ManifestEntry {
  etag: string;
  size: number;
  status: string;
  table: string;
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
    `SELECT blob, etag, size, status, table_name FROM mdq_manifest WHERE source = ${quoteLiteral(source)}`,
  );
  const entries = new Map<string, ManifestEntry>();
  for (const row of reader.getRowObjectsJson()) {
    entries.set(String(row.blob), {
      etag: String(row.etag ?? ''),
      size: Number(row.size ?? -1),
      status: String(row.status ?? ''),
      table: String(row.table_name ?? ''),
    });
  }
  return entries;
}

/** Records a batch's blobs; runs inside the batch's transaction. */
export async function recordBlobs(
  connection: DuckDBConnection,
  source: string,
  files: readonly StagedFile[],
): Promise<void> {
  const rows = files.map((staged) => {
    const { blob, path, table } = staged.planned;
    const version =
      path.layout === 'v2' ? (staged.modelVersion ?? null) : (path.modelVersion ?? null);
    const values = [
      quoteLiteral(source),
      quoteLiteral(blob.name),
      quoteLiteral(path.layout),
      quoteLiteral(path.service),
      quoteLiteral(path.model),
      version === null ? 'NULL' : quoteLiteral(version),
      quoteLiteral(path.identifier),
      `DATE ${quoteLiteral(formatDay(path.day))}`,
      quoteLiteral(table),
      quoteLiteral(blob.etag),
      String(blob.size),
      String(staged.quarantine === undefined ? staged.rows : 0),
      quoteLiteral(staged.quarantine === undefined ? 'loaded' : 'quarantined'),
      staged.quarantine === undefined ? 'NULL' : quoteLiteral(staged.quarantine),
      'now()::TIMESTAMP',
    ];
    return `(${values.join(', ')})`;
  });
  for (let i = 0; i < rows.length; i += 500) {
    await connection.run(
      `INSERT OR REPLACE INTO mdq_manifest VALUES ${rows.slice(i, i + 500).join(',\n')}`,
    );
  }
}
