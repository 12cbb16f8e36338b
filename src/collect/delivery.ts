import type { MdqError } from '../errors.js';
import { type BlobStore, MAX_APPEND_BYTES } from '../store/blob-store.js';
import {
  AppendWriter,
  type AppendWriterOptions,
  type Batch,
  type InDoubtAppend,
} from './append-writer.js';
import type { Encoded } from './encoder.js';
import { resumeBatch } from './replay-batch.js';
import { RowTooLargeError } from './row-ends.js';
import { safely, toSafeError } from './safe-report.js';
import type { DiskSpool, SpooledBatch } from './spool.js';
import type { BlobTarget } from './target.js';

/** Why rows were lost (only when the spool cannot take them). */
export interface DropEvent {
  rows: number;
  reason: 'spool-quota' | 'spool-failed' | 'closed';
  /** The blob folder the rows were meant for. */
  folder: string;
}

export interface DeliveryOptions {
  flushIntervalMs: number;
  maxBatchRows: number;
  maxBatchBytes: number;
  maxQueueBytes: number;
  /**
   * Largest batch taken off a queue that grew while the previous batch was on its way (at least
   * maxBatchBytes/maxBatchRows). Larger than those, batches grow under load.
   */
  maxSend: { bytes: number; rows: number };
  writer: AppendWriterOptions;
  /** The collector's id, stamped on its spool files (see `written`). */
  owner: string;
  onDrop: (event: DropEvent) => void;
  onError: (error: MdqError) => void;
}

export interface DeliveryCounters {
  /**
   * This collector's own rows in storage: appended live, or replayed from the spool by any
   * collector of this process. Rows of other collectors this one replays are not counted here.
   */
  written: number;
  /** Rows written to the disk spool (some may since have been replayed). */
  spooled: number;
  /** Spooled rows this collector appended to storage, whichever collector spooled them. */
  replayed: number;
  dropped: number;
  /** Upload, spool or replay failures reported through onError. */
  errors: number;
}

interface QueuedChunk {
  text: string;
  bytes: number;
  rows: number;
  seq: number;
}

interface TargetQueue {
  key: string;
  target: BlobTarget;
  pending: QueuedChunk[];
  bytes: number;
  rows: number;
  /** The one batch on its way (storage or spool) for this target, with its first sequence. */
  inflight: (Batch & { firstSeq: number }) | undefined;
}

const MAX_REPLAY_BACKOFF_MS = 30_000;
const FIRST_REPLAY_BACKOFF_MS = 1_000;

/**
 * Counters of the open collectors of this process, by owner id: a replayed batch is credited to
 * the collector that spooled it (its `written`), even when another collector sharing the spool
 * folder replayed it. Batches of collectors no longer open (or of other processes) are counted
 * only in the replayer's `replayed`.
 */
const openOwners = new Map<string, DeliveryCounters>();

/**
 * Everything between collect() and durable bytes: per-target queues, size-or-interval batching,
 * at most one batch in flight per target, failed batches to the disk spool, replay of the spool
 * with backoff, a byte cap on memory (excess spills to the spool synchronously), and flush()
 * waiters keyed on collection order. The shape follows OpenTelemetry's BatchSpanProcessor, with a
 * spool where it drops.
 */
export class Delivery {
  readonly counters: DeliveryCounters = {
    written: 0,
    spooled: 0,
    replayed: 0,
    dropped: 0,
    errors: 0,
  };
  readonly #options: DeliveryOptions;
  readonly #spool: DiskSpool;
  readonly #writer: Promise<AppendWriter>;
  readonly #queues = new Map<string, TargetQueue>();
  readonly #waiters: { mark: number; resolve: () => void }[] = [];
  #lastSeq = 0;
  /** Every chunk with a sequence up to this is due now (interval fired or flush() called). */
  #urgentUpTo = 0;
  #queuedBytes = 0;
  #queuedRows = 0;
  #timer: NodeJS.Timeout | undefined;
  /** False after a failed upload: batches go straight to the spool until a replay succeeds. */
  #healthy = true;
  #replayTimer: NodeJS.Timeout | undefined;
  #replayBackoffMs = FIRST_REPLAY_BACKOFF_MS;
  #replaying: Promise<boolean> | undefined;
  #stopped = false;

  constructor(store: Promise<BlobStore>, spool: DiskSpool, options: DeliveryOptions) {
    this.#options = options;
    this.#spool = spool;
    openOwners.set(options.owner, this.counters);
    this.#writer = store.then((resolved) => new AppendWriter(resolved, options.writer));
    // An unhandled rejection here would crash the host; failures surface through uploads.
    this.#writer.catch(() => undefined);
  }

  get queuedRows(): number {
    return this.#queuedRows;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Hot path: queue one call's rows (at most one append's worth, whole rows: see
   * splitAtRowEnds); never awaits, never throws for storage reasons.
   */
  enqueue(encoded: Encoded, rows: number, bytes = Buffer.byteLength(encoded.text)): void {
    const seq = ++this.#lastSeq;
    let queue = this.#queues.get(encoded.key);
    if (queue === undefined) {
      queue = {
        key: encoded.key,
        target: encoded.target,
        pending: [],
        bytes: 0,
        rows: 0,
        inflight: undefined,
      };
      this.#queues.set(encoded.key, queue);
    }
    queue.pending.push({ text: encoded.text, bytes, rows, seq });
    queue.bytes += bytes;
    queue.rows += rows;
    this.#queuedBytes += bytes;
    this.#queuedRows += rows;
    if (queue.bytes >= this.#options.maxBatchBytes || queue.rows >= this.#options.maxBatchRows) {
      this.#pump(queue);
    } else {
      this.#startTimer();
    }
    if (this.#queuedBytes > this.#options.maxQueueBytes) {
      // Storage is slower than the input: keep memory bounded by moving the backlog to disk.
      this.spillPendingSync();
    }
  }

  /** Resolves once everything enqueued before the call is in storage or in the spool. */
  flush(): Promise<void> {
    const mark = this.#lastSeq;
    if (this.#minOutstanding() > mark) {
      return Promise.resolve();
    }
    this.#urgentUpTo = Math.max(this.#urgentUpTo, mark);
    const done = new Promise<void>((resolve) => this.#waiters.push({ mark, resolve }));
    this.#pumpAll();
    return done;
  }

  /** Whether anything collected is not yet durable. */
  hasOutstanding(): boolean {
    return this.#minOutstanding() !== Number.POSITIVE_INFINITY;
  }

  /**
   * One pass over the spool: append each batch of this destination to storage, oldest first.
   * Resolves true when the spool holds nothing more for us.
   */
  replay(): Promise<boolean> {
    this.#replaying ??= this.#replayPass().finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  /** Synchronously moves every queued (not in-flight) chunk to the spool. */
  spillPendingSync(): void {
    for (const queue of this.#queues.values()) {
      while (queue.pending.length > 0) {
        // Spool files as large as batches: fewer files (each one fsync'd) while collect() waits.
        const chunks = this.#cut(queue, this.#options.maxSend);
        this.#spoolSync(queue.key, queue.target, chunks);
        this.#settle(chunks);
      }
    }
    this.#cleanup();
    this.#resolveWaiters();
    if (!this.#stopped) {
      this.scheduleReplay(this.#options.flushIntervalMs);
    }
  }

  /**
   * For `exit`: everything not yet in storage, including batches whose upload is still under
   * way, goes to the spool synchronously. An append on its way may still land: its record says
   * where (`inDoubt`), so the replay reads that range back and sends only what is missing.
   * Emptying the batch's chunks stops its writer from sending anything more.
   */
  spillAllSync(): void {
    for (const queue of this.#queues.values()) {
      const inflight = queue.inflight;
      if (inflight !== undefined && inflight.chunks.length > 0) {
        this.#spoolSync(queue.key, queue.target, inflight.chunks, inflight.inDoubt);
        inflight.chunks = [];
      }
    }
    this.spillPendingSync();
  }

  /** No more timers: the process may exit. */
  stop(): void {
    this.#stopped = true;
    if (openOwners.get(this.#options.owner) === this.counters) {
      openOwners.delete(this.#options.owner);
    }
    clearTimeout(this.#timer);
    clearTimeout(this.#replayTimer);
    this.#timer = undefined;
    this.#replayTimer = undefined;
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#stopped) {
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#urgentUpTo = this.#lastSeq;
      this.#pumpAll();
    }, this.#options.flushIntervalMs);
    this.#timer.unref();
  }

  #pumpAll(): void {
    for (const queue of [...this.#queues.values()]) {
      this.#pump(queue);
    }
  }

  #pump(queue: TargetQueue): void {
    const first = queue.pending[0];
    if (queue.inflight !== undefined || first === undefined) {
      return;
    }
    const due =
      first.seq <= this.#urgentUpTo ||
      queue.bytes >= this.#options.maxBatchBytes ||
      queue.rows >= this.#options.maxBatchRows;
    if (!due) {
      this.#startTimer();
      return;
    }
    // What waited while the previous batch was on its way goes in one batch (up to maxSend):
    // under load batches grow, so storage needs fewer round trips per row and keeps up with the
    // input instead of the backlog spilling to disk.
    const chunks = this.#cut(queue, this.#options.maxSend);
    const batch = {
      key: queue.key,
      target: queue.target,
      chunks: [...chunks],
      firstSeq: first.seq,
    };
    queue.inflight = batch;
    void this.#deliver(batch).then(() => {
      queue.inflight = undefined;
      this.#settle(chunks);
      this.#resolveWaiters();
      this.#pump(queue);
      this.#cleanup();
    });
  }

  /** Takes the next batch's chunks off the queue, at least one, up to maxBatch* or `limit`. */
  #cut(queue: TargetQueue, limit: { bytes: number; rows: number }): QueuedChunk[] {
    const maxBytes = Math.max(limit.bytes, this.#options.maxBatchBytes);
    const maxRows = Math.max(limit.rows, this.#options.maxBatchRows);
    let bytes = 0;
    let rows = 0;
    let count = 0;
    for (const chunk of queue.pending) {
      if (count > 0 && (bytes + chunk.bytes > maxBytes || rows + chunk.rows > maxRows)) {
        break;
      }
      bytes += chunk.bytes;
      rows += chunk.rows;
      count++;
    }
    queue.bytes -= bytes;
    queue.rows -= rows;
    return queue.pending.splice(0, count);
  }

  /** The chunks have left memory (stored, spooled or dropped). */
  #settle(chunks: readonly QueuedChunk[]): void {
    for (const chunk of chunks) {
      this.#queuedBytes -= chunk.bytes;
      this.#queuedRows -= chunk.rows;
    }
  }

  async #deliver(batch: Batch): Promise<void> {
    if (this.#healthy) {
      const rowsBefore = rowsOf(batch);
      try {
        await (await this.#writer).write(batch);
        this.counters.written += rowsBefore;
        return;
      } catch (error) {
        this.counters.written += rowsBefore - rowsOf(batch);
        this.#report(error);
        this.#markUnhealthy();
      }
    }
    if (batch.chunks.length > 0) {
      await this.#spoolAsync(batch.key, batch.target, batch.chunks, batch.inDoubt);
      batch.chunks = [];
    }
  }

  async #spoolAsync(
    key: string,
    target: BlobTarget,
    chunks: Batch['chunks'],
    inDoubt: InDoubtAppend | undefined,
  ): Promise<void> {
    for (const file of spoolFiles(chunks, inDoubt)) {
      try {
        const taken = await this.#spool.write(key, target, file.text, file.rows, file.inDoubt);
        this.#spooled(taken, file.rows, target);
      } catch (error) {
        this.#spoolFailed(error, file.rows, target);
      }
    }
  }

  #spoolSync(
    key: string,
    target: BlobTarget,
    chunks: Batch['chunks'],
    inDoubt?: InDoubtAppend,
  ): void {
    for (const file of spoolFiles(chunks, inDoubt)) {
      try {
        const taken = this.#spool.writeSync(key, target, file.text, file.rows, file.inDoubt);
        this.#spooled(taken, file.rows, target);
      } catch (error) {
        this.#spoolFailed(error, file.rows, target);
      }
    }
  }

  /** `taken`: the spool had room (else the quota drops the rows). */
  #spooled(taken: boolean, rows: number, target: BlobTarget): void {
    if (taken) {
      this.counters.spooled += rows;
    } else {
      this.#drop(rows, 'spool-quota', target);
    }
  }

  #spoolFailed(error: unknown, rows: number, target: BlobTarget): void {
    this.#report(error);
    this.#drop(rows, 'spool-failed', target);
  }

  async #replayPass(): Promise<boolean> {
    let writer: AppendWriter;
    try {
      writer = await this.#writer;
    } catch (error) {
      this.#report(error);
      this.#markUnhealthy();
      return false;
    }
    try {
      for await (const item of this.#spool.claim()) {
        try {
          await writer.write(await resumeBatch(writer, item));
        } catch (error) {
          if (error instanceof RowTooLargeError) {
            // Only in a file an older version spooled: it can never be stored whole.
            await item.setAside();
            this.#report(error);
            continue;
          }
          // Back to the queue; its progress record says what may have landed meanwhile.
          await item.release();
          this.#report(error);
          this.#markUnhealthy();
          return false;
        }
        await item.done();
        this.#credit(item);
      }
    } catch (error) {
      this.#report(error);
      return false;
    }
    this.#healthy = true;
    this.#replayBackoffMs = FIRST_REPLAY_BACKOFF_MS;
    return true;
  }

  /** A replayed batch's rows: this collector replayed them; they are its owner's written rows. */
  #credit(item: SpooledBatch): void {
    const rows = item.meta.rows;
    this.counters.replayed += rows;
    const owner = item.meta.owner === undefined ? undefined : openOwners.get(item.meta.owner);
    if (owner !== undefined) {
      owner.written += rows;
    }
  }

  #markUnhealthy(): void {
    this.#healthy = false;
    this.scheduleReplay(this.#replayBackoffMs);
    this.#replayBackoffMs = Math.min(MAX_REPLAY_BACKOFF_MS, this.#replayBackoffMs * 2);
  }

  /** Replays the spool after `delayMs` (one timer at a time, unref'd). */
  scheduleReplay(delayMs: number): void {
    if (this.#replayTimer !== undefined || this.#stopped) {
      return;
    }
    this.#replayTimer = setTimeout(() => {
      this.#replayTimer = undefined;
      void this.replay();
    }, delayMs);
    this.#replayTimer.unref();
  }

  /** Sequence of the oldest chunk not yet durable (Infinity when none). */
  #minOutstanding(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const queue of this.#queues.values()) {
      const first = queue.inflight?.firstSeq ?? queue.pending[0]?.seq;
      if (first !== undefined && first < min) {
        min = first;
      }
    }
    return min;
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) {
      return;
    }
    const min = this.#minOutstanding();
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i];
      if (waiter !== undefined && waiter.mark < min) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Forgets idle targets, so yesterday's folders do not accumulate in a long-lived process. */
  #cleanup(): void {
    for (const [key, queue] of this.#queues) {
      if (queue.inflight === undefined && queue.pending.length === 0) {
        this.#queues.delete(key);
      }
    }
  }

  #drop(rows: number, reason: DropEvent['reason'], target: BlobTarget): void {
    this.counters.dropped += rows;
    safely(() => this.#options.onDrop({ rows, reason, folder: target.folder }));
  }

  #report(error: unknown): void {
    this.counters.errors++;
    const safe = toSafeError(error);
    safely(() => this.#options.onError(safe));
  }
}

function rowsOf(batch: Batch): number {
  return sumRows(batch.chunks);
}

/**
 * The spool files for some chunks: runs of whole chunks of at most one append each, so that
 * replaying a file is one append. An in-doubt range covers the first chunks, so the first file.
 */
function spoolFiles(
  chunks: Batch['chunks'],
  inDoubt: InDoubtAppend | undefined,
): { text: string; rows: number; inDoubt: InDoubtAppend | undefined }[] {
  const runs: Batch['chunks'][] = [];
  let run: Batch['chunks'] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    if (run.length > 0 && bytes + chunk.bytes > MAX_APPEND_BYTES) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(chunk);
    bytes += chunk.bytes;
  }
  if (run.length > 0) {
    runs.push(run);
  }
  return runs.map((one, index) => ({
    text: joinText(one),
    rows: sumRows(one),
    inDoubt: index === 0 ? inDoubt : undefined,
  }));
}

function sumRows(chunks: readonly { rows: number }[]): number {
  let rows = 0;
  for (const chunk of chunks) {
    rows += chunk.rows;
  }
  return rows;
}

function joinText(chunks: readonly { text: string }[]): string {
  return chunks.length === 1 ? (chunks[0]?.text ?? '') : chunks.map((chunk) => chunk.text).join('');
}
