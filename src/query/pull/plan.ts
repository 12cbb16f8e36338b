import { addDays } from '../../layout/days.js';
import type { BlobPath, Day, StreamPath } from '../../layout/types.js';
import type { BlobStore } from '../../store/blob-store.js';
import { discoverStreams, listBlobsInRange } from '../discover.js';
import { type RoleMap, roleOfIdentifier, tableForIdentifier } from '../roles.js';
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
 * changed (the same bytes would fail the same way). A loaded blob whose identifier now maps to
 * another table (`--role`, or a role mdq learnt to recognise) is planned again: its rows move.
 */
/** Days past `to` the labels role is pulled by default: ground truth is filed days later. */
export const DEFAULT_LABEL_DELAY_DAYS = 7;

/**
 * The last day listed for an identifier: `to`, and for the labels role `labelDelayDays` more,
 * because labels are filed under the day they were collected, usually days after their
 * requests: a month pulled at the start of the next one still finds its labels.
 */
function lastDayOf(identifier: string, selection: PullSelection, roles?: RoleMap): Day {
  if (roleOfIdentifier(identifier, roles) !== 'labels') {
    return selection.to;
  }
  return addDays(selection.to, selection.labelDelayDays ?? DEFAULT_LABEL_DELAY_DAYS);
}

/**
 * Predictions and labels are listed (and so downloaded and loaded) before inputs: an input
 * row then finds its match already stored and writes it as it is inserted, instead of being
 * updated when its match comes in a later batch, which costs several times more
 * (match-batch.ts). Otherwise the discovery order stays.
 */
function companionsFirst(streams: readonly StreamPath[], roles?: RoleMap): StreamPath[] {
  const rank = (stream: StreamPath) => {
    const role = roleOfIdentifier(stream.identifier, roles);
    return role === 'predictions' || role === 'labels' ? 0 : role === 'inputs' ? 1 : 2;
  };
  return [...streams].sort((a, b) => rank(a) - rank(b));
}

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
    /** Identifier roles given with `--role` (role-map.ts). */
    roles?: RoleMap;
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
  for (const stream of companionsFirst(streams, options.roles)) {
    const table = tableForIdentifier(stream.identifier, options.roles);
    for await (const { blob, path } of listBlobsInRange(
      store,
      stream,
      selection.from,
      lastDayOf(stream.identifier, selection, options.roles),
      signal,
    )) {
      listed += 1;
      const known = manifest.get(blob.name);
      // A blob whose identifier changed role since it was loaded moves: it loads again.
      if (
        known &&
        known.etag === blob.etag &&
        known.size === blob.size &&
        (known.table === table || known.status !== 'loaded')
      ) {
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
