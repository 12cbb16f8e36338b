import type { StagedFile } from './stage.js';

/** When a batch is full: whichever limit is reached first. */
export interface BatchLimits {
  maxBlobs: number;
  maxBytes: number;
  /** Also ready once this many bytes of blobs staged in memory wait (pull.ts, first batch). */
  maxInMemoryBytes?: number;
}

/**
 * Hands staged files from the downloads to the loader in batches, so loading overlaps
 * downloading while both the staging disk and the batches stay bounded:
 * - the loader waits for a FULL batch (`maxBlobs`, `maxBytes`, or `maxInMemoryBytes` of blobs
 *   staged in memory when given) unless no more files will come or the downloads are paused:
 *   DuckDB pays dearly for small INSERTs (each leaves partly filled row groups that the next
 *   checkpoint rewrites; measured 5.8 s for 500 MB in batches of 70 MB against 3.2 s in
 *   batches of 250 MB);
 * - downloads wait while `maxPendingBytes` staged bytes are not yet loaded.
 */
export class StagedQueue {
  readonly #maxPendingBytes: number;
  #items: StagedFile[] = [];
  /** Bytes of files queued, not yet taken by the loader. */
  #queuedBytes = 0;
  /** Of those, the bytes of blobs staged in memory. */
  #queuedInMemoryBytes = 0;
  /** Bytes of files queued or being loaded. */
  #pendingBytes = 0;
  #closed = false;
  #error: unknown;
  #wake: Array<() => void> = [];

  constructor(maxPendingBytes: number) {
    this.#maxPendingBytes = maxPendingBytes;
  }

  push(staged: StagedFile): void {
    this.#items.push(staged);
    this.#queuedBytes += staged.planned.blob.size;
    this.#queuedInMemoryBytes += inMemoryBytes(staged);
    this.#pendingBytes += staged.planned.blob.size;
    this.#notify();
  }

  /** No more files will come. */
  close(): void {
    this.#closed = true;
    this.#notify();
  }

  fail(error: unknown): void {
    this.#error ??= error;
    this.#closed = true;
    this.#notify();
  }

  /** The next batch, or undefined when the queue is closed and drained. */
  async take(limits: BatchLimits): Promise<StagedFile[] | undefined> {
    const { maxBlobs, maxBytes } = limits;
    while (this.#error === undefined && !this.#closed && !this.#hasFullBatch(limits)) {
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
    if (this.#error !== undefined) {
      throw this.#error;
    }
    if (this.#items.length === 0) {
      return undefined;
    }
    const batch: StagedFile[] = [];
    let bytes = 0;
    while (this.#items.length > 0 && batch.length < maxBlobs) {
      const next = this.#items[0] as StagedFile;
      if (batch.length > 0 && bytes + next.planned.blob.size > maxBytes) {
        break;
      }
      this.#items.shift();
      batch.push(next);
      bytes += next.planned.blob.size;
      this.#queuedInMemoryBytes -= inMemoryBytes(next);
    }
    this.#queuedBytes -= bytes;
    return batch;
  }

  /** Called by the loader once a batch is in the database: its bytes no longer count. */
  release(batch: readonly StagedFile[]): void {
    for (const staged of batch) {
      this.#pendingBytes -= staged.planned.blob.size;
    }
    this.#notify();
  }

  /** Resolves once fewer than the pending limit's bytes wait for the loader (or on failure). */
  async waitForRoom(): Promise<void> {
    while (this.#isFull() && this.#error === undefined) {
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  #isFull(): boolean {
    return this.#pendingBytes >= this.#maxPendingBytes;
  }

  /** A batch is ready: full, or as full as it will get while downloads wait for room. */
  #hasFullBatch({ maxBlobs, maxBytes, maxInMemoryBytes }: BatchLimits): boolean {
    if (this.#items.length === 0) {
      return false;
    }
    return (
      this.#items.length >= maxBlobs ||
      this.#queuedBytes >= maxBytes ||
      (maxInMemoryBytes !== undefined && this.#queuedInMemoryBytes >= maxInMemoryBytes) ||
      this.#isFull()
    );
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) {
      resolve();
    }
  }
}

function inMemoryBytes(staged: StagedFile): number {
  return staged.chunks === undefined ? 0 : staged.planned.blob.size;
}
