import { randomBytes } from 'node:crypto';
import { processEnv } from '../config.js';
import type { MdqError } from '../errors.js';
import { MAX_APPEND_BYTES } from '../store/blob-store.js';
import {
  type CorrelationContext,
  issue,
  type ResolvedCorrelation,
  resolveCorrelation,
} from './correlation.js';
import { Delivery, type DropEvent } from './delivery.js';
import { resolveDestination, spoolDirFor } from './destination.js';
import { AksEncoder } from './encode-aks.js';
import { V2Encoder } from './encode-v2.js';
import { WorkbenchEncoder } from './encode-workbench.js';
import type { Encoded, Encoder } from './encoder.js';
import {
  type ExitParticipant,
  registerExitParticipant,
  unregisterExitParticipant,
} from './exit-hooks.js';
import {
  COLLECTOR_DEFAULTS,
  type CollectFormat,
  type ModelDataCollectorOptions,
} from './options.js';
import { splitAtRowEnds } from './row-ends.js';
import { toRows } from './rows.js';
import { safely, toSafeError } from './safe-report.js';
import { DiskSpool } from './spool.js';
import { streamFor } from './stream.js';

/** Lifecycle: collecting; flushing for close(); closed (collect() then only counts drops). */
export type CollectorState = 'open' | 'closing' | 'closed';

export interface CollectorStats {
  state: CollectorState;
  /** Rows accepted by collect(). */
  collected: number;
  /**
   * Of those, rows in storage: appended, or replayed from the spool by a collector of this
   * process. Never another collector's rows, so at most `collected`.
   */
  written: number;
  /** Rows that went to the disk spool. */
  spooled: number;
  /**
   * Spooled rows this collector appended to storage, whoever spooled them: itself, another
   * collector sharing the spool folder, or an earlier process (those count in no `written`).
   */
  replayed: number;
  /** Rows lost: spool quota exhausted, spool unwritable, or collected after close(). */
  dropped: number;
  /**
   * collect() calls whose input could not be turned into rows, or that held a row larger than
   * one append (4 MiB), which cannot be stored whole (reported via onError).
   */
  rejected: number;
  /** Problems reported through onError (uploads, spool, encoding). */
  errors: number;
  /** Rows in memory, not yet durable. */
  queuedRows: number;
  queuedBytes: number;
  /** Where rows go (a folder, or `azure:<account>/<container>`): never a secret. */
  destination: string;
}

/**
 * The embedded collector, shaped like Azure ML's Python `ModelDataCollector`:
 * `collect(rows, context?)` is synchronous, cheap and never throws; batches are written in the
 * background as the chosen format's CSV or JSONL blobs; `flush()` and `close()` make them
 * durable. See `ModelDataCollectorOptions` for destinations and limits.
 */
export class ModelDataCollector {
  readonly modelName: string;
  readonly identifier: string;
  readonly format: CollectFormat;
  #state: CollectorState = 'open';
  readonly #featureNames: readonly string[] | undefined;
  readonly #encoder: Encoder;
  readonly #delivery: Delivery;
  readonly #destination: string;
  readonly #onError: (error: MdqError) => void;
  readonly #onDrop: (event: DropEvent) => void;
  readonly #participant: ExitParticipant;
  readonly #clock: () => number;
  #collected = 0;
  #rejected = 0;
  #droppedAfterClose = 0;
  #encodingErrors = 0;
  #closing: Promise<void> | undefined;

  /** Throws (UsageError/ConfigError) for invalid options, at startup, never later. */
  constructor(modelName: string, options: ModelDataCollectorOptions = {}) {
    const env = options.env ?? processEnv();
    this.modelName = modelName;
    this.#clock = options.clock ?? Date.now;
    this.format = options.format ?? COLLECTOR_DEFAULTS.format;
    const stream = streamFor(
      modelName,
      this.format,
      options.identifier ?? COLLECTOR_DEFAULTS.identifier,
      options,
    );
    this.identifier = stream.identifier;
    this.#featureNames = options.featureNames ? [...options.featureNames] : undefined;
    this.#encoder = encoderFor(stream, this.format, options);
    this.#onError = options.onError ?? (() => undefined);
    this.#onDrop = options.onDrop ?? (() => undefined);

    const destination = resolveDestination(options, env);
    this.#destination = destination.key;
    const owner = randomBytes(8).toString('hex');
    const spool = new DiskSpool(
      spoolDirFor(options, env),
      destination.key,
      options.spoolQuotaBytes ?? COLLECTOR_DEFAULTS.spoolQuotaBytes,
      owner,
    );
    this.#delivery = new Delivery(destination.store, spool, {
      flushIntervalMs: options.flushIntervalMs ?? COLLECTOR_DEFAULTS.flushIntervalMs,
      maxBatchRows: options.maxBatchRows ?? COLLECTOR_DEFAULTS.maxBatchRows,
      maxBatchBytes: options.maxBatchBytes ?? COLLECTOR_DEFAULTS.maxBatchBytes,
      maxQueueBytes: options.maxQueueBytes ?? COLLECTOR_DEFAULTS.maxQueueBytes,
      // Explicit batch limits are kept as caps; with the defaults, batches grow under load up to
      // one append (4 MiB), so a busy service needs fewer appends per row.
      maxSend:
        options.maxBatchRows === undefined && options.maxBatchBytes === undefined
          ? { bytes: MAX_APPEND_BYTES, rows: Number.POSITIVE_INFINITY }
          : { bytes: 0, rows: 0 },
      writer:
        options.maxBlocksPerBlob === undefined
          ? {}
          : { maxBlocksPerBlob: options.maxBlocksPerBlob },
      owner,
      onDrop: this.#onDrop,
      onError: this.#onError,
    });

    const signalFlushTimeoutMs =
      options.signalFlushTimeoutMs ?? COLLECTOR_DEFAULTS.signalFlushTimeoutMs;
    this.#participant = {
      handlesSignals: options.handleSignals === true,
      hasOutstanding: () => this.#delivery.hasOutstanding(),
      flushOnBeforeExit: () => this.#delivery.flush(),
      flushOnSignal: () => withDeadline(this.#delivery.flush(), signalFlushTimeoutMs),
      spillSync: () => this.#delivery.spillAllSync(),
    };
    registerExitParticipant(this.#participant);
    // Batches an earlier process left in the spool go to storage now.
    this.#delivery.scheduleReplay(0);
  }

  /**
   * Queues rows for writing and returns the correlation context to pass to the next collector
   * (predictions get the inputs' id, row i matching row i). Accepts an array of row objects, one
   * row object, an array of arrays (named by `featureNames`) or an array of scalars.
   * Never throws and never waits: problems go to `onError` and `stats()`.
   */
  collect(input: unknown, context?: CorrelationContext): CorrelationContext {
    const nowMs = this.#clock();
    let correlation: ResolvedCorrelation;
    try {
      correlation = resolveCorrelation(context, nowMs);
    } catch (error) {
      this.#reject(error);
      correlation = resolveCorrelation(undefined, nowMs);
    }
    try {
      const rows = toRows(input, this.#featureNames);
      if (this.#state !== 'open') {
        this.#droppedAfterClose += rows.cells.length;
        const dropped = rows.cells.length;
        safely(() => this.#onDrop({ rows: dropped, reason: 'closed', folder: '' }));
      } else if (rows.cells.length > 0) {
        this.#enqueue(this.#encoder.encode(rows, correlation, nowMs), rows.cells.length);
        this.#collected += rows.cells.length;
      }
    } catch (error) {
      this.#reject(error);
    }
    return issue(correlation);
  }

  /** Resolves when every row collected before the call is in storage or in the disk spool. */
  flush(): Promise<void> {
    return this.#state === 'closed' ? Promise.resolve() : this.#delivery.flush();
  }

  /**
   * Flushes, replays what the spool holds for this destination, stops timers and removes the
   * exit hooks. Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  stats(): CollectorStats {
    const counters = this.#delivery.counters;
    return {
      state: this.#state,
      collected: this.#collected,
      written: counters.written,
      spooled: counters.spooled,
      replayed: counters.replayed,
      dropped: counters.dropped + this.#droppedAfterClose,
      rejected: this.#rejected,
      errors: counters.errors + this.#encodingErrors,
      queuedRows: this.#delivery.queuedRows,
      queuedBytes: this.#delivery.queuedBytes,
      destination: this.#destination,
    };
  }

  async #shutdown(): Promise<void> {
    this.#state = 'closing';
    try {
      await this.#delivery.flush();
      await this.#delivery.replay();
    } finally {
      this.#delivery.stop();
      unregisterExitParticipant(this.#participant);
      this.#state = 'closed';
    }
  }

  /**
   * A call above one append is cut at row ends, so that every append holds whole rows; a call
   * holding a row that alone is above one append is rejected whole (RowTooLargeError), so
   * that its other rows do not lose their place (row i of the inputs matches row i of the
   * predictions).
   */
  #enqueue(encoded: Encoded, rows: number): void {
    const bytes = Buffer.byteLength(encoded.text);
    if (bytes <= MAX_APPEND_BYTES) {
      this.#delivery.enqueue(encoded, rows, bytes);
      return;
    }
    const runs = splitAtRowEnds(encoded.text, encoded.target.naming, MAX_APPEND_BYTES);
    for (const run of runs) {
      this.#delivery.enqueue({ ...encoded, text: run.text }, run.rows, run.bytes);
    }
  }

  #reject(error: unknown): void {
    this.#rejected++;
    this.#encodingErrors++;
    const safe = toSafeError(error);
    safely(() => this.#onError(safe));
  }
}

function encoderFor(
  stream: ReturnType<typeof streamFor>,
  format: CollectFormat,
  options: ModelDataCollectorOptions,
): Encoder {
  switch (format) {
    case 'workbench':
      return new WorkbenchEncoder(stream);
    case 'aks':
      return new AksEncoder(stream);
    case 'v2':
      return new V2Encoder(stream, {
        subscription: options.subscription ?? 'default',
        resourceGroup: options.resourceGroup ?? 'default',
        workspace: options.workspace ?? 'default',
        modelVersion: options.modelVersion ?? 'default',
        instanceId: randomBytes(16).toString('hex'),
      });
  }
}

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
