import type { BlobPath, StreamPath } from '../../layout/types.js';
import type { BlobStore } from '../../store/blob-store.js';
import { discoverStreams, listBlobsInRange } from '../discover.js';
import { tableForIdentifier } from '../roles.js';
import type { ManifestEntry } from './manifest.js';
import type { PlannedBlob, PullSelection, QuarantinedBlob } from './types.js';

export interface PullPlan {
  streams: StreamPath[];
  listed: number;
  skipped: number;
  /** Skipped blobs that an earlier pull quarantined: unchanged, so still not loaded. */
  stillQuarantined: QuarantinedBlob[];
}

/**
 * Lists the streams of the selection by hierarchy, then exactly the day folders in range, and
 * hands each blob the manifest does not already hold with the same etag and size to
 * `onPlanned` as soon as it is listed. A blob that was quarantined is retried only when it
 * changed (the same bytes would fail the same way).
 */
export async function planPull(
  store: BlobStore,
  selection: PullSelection,
  manifest: ReadonlyMap<string, ManifestEntry>,
  options: {
    signal?: AbortSignal;
    onListed?: (listed: number, streams: number) => void;
    /** The first free blob id of the database; planned blobs are numbered from it. */
    firstBlobId?: number;
    /** The stream id of a blob's path (blobs.ts); 0 for all when absent. */
    streamOf?: (path: BlobPath) => number;
    /** Called with each blob as soon as it is planned, so its download can start. */
    onPlanned?: (planned: PlannedBlob) => void;
  } = {},
): Promise<PullPlan> {
  const signal = options.signal ? { signal: options.signal } : {};
  const streams = await discoverStreams(store, {
    layout: selection.layout ?? 'auto',
    filter: {
      service: selection.service,
      ...(selection.model === undefined ? {} : { model: selection.model }),
      ...(selection.modelVersion === undefined ? {} : { modelVersion: selection.modelVersion }),
      ...(selection.identifiers === undefined ? {} : { identifiers: [...selection.identifiers] }),
    },
    ...signal,
  });
  let planned = 0;
  let listed = 0;
  let skipped = 0;
  const stillQuarantined: QuarantinedBlob[] = [];
  for (const stream of streams) {
    const table = tableForIdentifier(stream.identifier);
    for await (const { blob, path } of listBlobsInRange(
      store,
      stream,
      selection.from,
      selection.to,
      signal,
    )) {
      listed += 1;
      const known = manifest.get(blob.name);
      if (known && known.etag === blob.etag && known.size === blob.size) {
        skipped += 1;
        if (known.status === 'quarantined') {
          stillQuarantined.push({ blob: blob.name, reason: known.error });
        }
        continue;
      }
      const blobToLoad: PlannedBlob = {
        blobId: (options.firstBlobId ?? 0) + planned,
        stream: options.streamOf?.(path) ?? 0,
        blob,
        path,
        table,
        ...(known ? { previous: { table: known.table, status: known.status } } : {}),
      };
      planned += 1;
      options.onPlanned?.(blobToLoad);
    }
    options.onListed?.(listed, streams.length);
  }
  return { streams, listed, skipped, stillQuarantined };
}
