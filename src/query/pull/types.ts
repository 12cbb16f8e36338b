import type { BlobPath, Day, LayoutKind } from '../../layout/types.js';
import type { BlobInfo, BlobStore } from '../../store/blob-store.js';
import type { Role } from '../roles.js';
import type { LabelsSummary } from './labels-summary.js';
import type { MemoryLimits } from './memory-budget.js';

export type LayoutChoice = LayoutKind | 'auto';

/** What to pull: one service, a date range, optional narrowing. */
export interface PullSelection {
  service: string;
  from: Day;
  /** Inclusive. */
  to: Day;
  model?: string;
  modelVersion?: string;
  /** Identifiers (designations, v2 collections); default all except v2 `request`/`response`. */
  identifiers?: readonly string[];
  layout?: LayoutChoice;
  /**
   * Roles for identifiers whose names do not say theirs (`--role feedback_v3=labels`), by
   * identifier; remembered in the database, so later pulls and the views agree.
   */
  roles?: Readonly<Record<string, Role>>;
  /**
   * Days past `to` the labels role is also pulled (default 7; 0: none). Ground truth is filed
   * under the day it was collected, usually days after its requests.
   */
  labelDelayDays?: number;
}

export interface PullOptions extends PullSelection {
  store: BlobStore;
  /** How the source is recorded in the manifest (safe to print: no key, no SAS). */
  source: string;
  /** DuckDB file; `<db>.staging/` beside it holds downloads while they load. */
  dbPath: string;
  /** Concurrent downloads (default 16). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
  /**
   * Load batches: blobs and bytes per transaction, and bytes of small blobs staged in memory
   * before the rest stage to files (tests make them small).
   */
  batch?: { maxBlobs?: number; maxBytes?: number; maxInMemoryBytes?: number };
  /** DuckDB's memory budget: where it starts and how far a load may raise it (memory-budget.ts). */
  memory?: MemoryLimits;
  /**
   * Stop counting the blobs of the selection that an earlier pull quarantined and that have
   * not changed since: the manifest marks them `dismissed` (kept, with their reason).
   */
  dismissQuarantined?: boolean;
}

/** One blob chosen for download, with what the manifest knew about it. */
export interface PlannedBlob {
  /**
   * The blob's id in the database (`mdq_data.blobs`), new for every load of it: staged rows
   * carry it, so many blobs can share one staged file, and the stored rows keep it.
   */
  blobId: number;
  /** Its stream's id: one per (service, model, model version), what `scored` joins on. */
  stream: number;
  blob: BlobInfo;
  path: BlobPath;
  table: string;
  /** The manifest row this replaces (the blob changed since it was loaded). */
  previous?: { table: string; status: string };
}

/** `migrating`: a database from an older mdq moves to the stored layout (legacy-tables.ts). */
export type PullPhase = 'migrating' | 'listing' | 'downloading' | 'finishing' | 'done';

/** A snapshot of progress; each event carries the whole picture so renderers stay stateless. */
export interface PullProgress {
  phase: PullPhase;
  streams: number;
  blobsListed: number;
  blobsSkipped: number;
  blobsToLoad: number;
  bytesToLoad: number;
  blobsDownloaded: number;
  bytesDownloaded: number;
  blobsLoaded: number;
  rowsLoaded: number;
  quarantined: number;
  /** Batches committed to the database so far. */
  batchesCommitted: number;
  elapsedMs: number;
}

export interface QuarantinedBlob {
  blob: string;
  reason: string;
}

export interface PullResult {
  dbPath: string;
  source: string;
  streams: number;
  /** What the streams are, for people: distinct identifiers, and models (with their versions). */
  identifiers: number;
  models: number;
  blobsListed: number;
  /** Unchanged since the last pull (etag and size match the manifest). */
  blobsSkipped: number;
  blobsLoaded: number;
  bytesDownloaded: number;
  rowsByTable: Record<string, number>;
  quarantined: QuarantinedBlob[];
  /**
   * Blobs of the selection an earlier pull quarantined, unchanged since and so still not
   * loaded (not dismissed): a pull is not complete while there are any.
   */
  stillQuarantined: QuarantinedBlob[];
  /** Quarantined blobs this pull marked dismissed (`dismissQuarantined`). */
  dismissed: QuarantinedBlob[];
  /** Blobs listed but gone before they could be read (deleted meanwhile): not recorded. */
  vanished: string[];
  /** Ground truth: present when the database holds labels (labels-summary.ts). */
  labels?: LabelsSummary;
  seconds: number;
}
