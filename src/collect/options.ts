import type { Env } from '../config.js';
import type { MdqError } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import type { DropEvent } from './delivery.js';

export type CollectFormat = 'workbench' | 'aks' | 'v2';

/**
 * Options of `new ModelDataCollector(modelName, options)`. Identity fields default as the Python
 * collectors did: Workbench `unknown`, AKS and v2 `default`.
 */
export interface ModelDataCollectorOptions {
  /** Workbench identifier / AKS designation / v2 collection name (default `default`). */
  identifier?: string;
  /** Column names for arrays of arrays and scalars (and a fixed column order for objects). */
  featureNames?: readonly string[];
  /** On-storage format (default `workbench`). */
  format?: CollectFormat;
  /** Web service (Workbench, AKS) or online endpoint (v2) name. */
  service?: string;
  modelVersion?: string;
  /** Workbench: the `<modelId>` of `<modelId>-<model>-<version>`. */
  modelId?: string;
  subscription?: string;
  resourceGroup?: string;
  /** AKS and v2: workspace name. */
  workspace?: string;
  /** Workbench: model management account name (defaults to `workspace` when only that is set). */
  account?: string;
  /** v2: deployment name (default `default`). */
  deployment?: string;

  /** Write here, ignoring every other destination setting. */
  store?: BlobStore;
  /** Write to this local folder. */
  folder?: string;
  /** Write to Azure Blob Storage with this connection string. */
  connectionString?: string;
  /** Container for `connectionString` and AML_MODEL_DC_STORAGE (default `modeldata`). */
  container?: string;

  /** Longest time a row waits before its batch is sent (default 5000 ms). */
  flushIntervalMs?: number;
  /** A batch is sent once it holds this many rows (default 10,000). */
  maxBatchRows?: number;
  /**
   * ... or this many bytes (default 1 MiB; below the 4 MiB append limit). With neither limit set,
   * rows that queued while the previous batch was on its way all go in the next one, up to one
   * 4 MiB append; a limit that is set also caps every batch.
   */
  maxBatchBytes?: number;
  /** Memory cap for rows not yet stored; beyond it they spill to the spool (default 16 MiB). */
  maxQueueBytes?: number;
  /** Disk spool for batches storage could not take (default MDQ_SPOOL_DIR, else ./.mdq-spool). */
  spoolDir?: string;
  /** Spool disk quota; rows beyond it are dropped and counted (default 1 GiB). */
  spoolQuotaBytes?: number;
  /** Roll over to a new blob at this many append blocks (default 50,000, Azure's limit). */
  maxBlocksPerBlob?: number;

  /** Told when rows are lost (spool quota exhausted or spool unwritable). */
  onDrop?: (event: DropEvent) => void;
  /** Told about encoding, upload and spool problems; never thrown into the caller. */
  onError?: (error: MdqError) => void;
  /**
   * Opt-in: on SIGTERM/SIGINT flush (bounded by `signalFlushTimeoutMs`), spool the rest, then end
   * the process the way the signal would have (exit status 128+n), unless the host has its own
   * listener for that signal, in which case the host decides. Default false.
   */
  handleSignals?: boolean;
  /** How long a signal-triggered flush may take before the rest is spooled (default 5000 ms). */
  signalFlushTimeoutMs?: number;
  /** Milliseconds since the epoch, UTC (default Date.now): fixes the clock for tests and replays. */
  clock?: () => number;
  /** Environment to read AML_MODEL_DC_* / MDQ_* from (default: the process environment). */
  env?: Env;
}

export const COLLECTOR_DEFAULTS = {
  identifier: 'default',
  format: 'workbench' as CollectFormat,
  container: 'modeldata',
  flushIntervalMs: 5_000,
  maxBatchRows: 10_000,
  maxBatchBytes: 1024 * 1024,
  maxQueueBytes: 16 * 1024 * 1024,
  spoolQuotaBytes: 1024 * 1024 * 1024,
  signalFlushTimeoutMs: 5_000,
} as const;
