import type { StagedFile } from './stage.js';

/**
 * Hands staged files from the downloads to the loader in batches: the loader takes whatever has
 * arrived (up to a limit) each time it is free, so loading overlaps downloading, and downloads
 * wait when too many staged bytes are pending (disk stays bounded too).
 */
export class StagedQueue {
  #items: StagedFile[] = [];
  #pendingBytes = 0;
  #closed = false;
  #error: unknown;
  #wake: Array<() => void> = [];

  push(staged: StagedFile): void {
    this.#items.push(staged);
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
  async take(maxBlobs: number, maxBytes: number): Promise<StagedFile[] | undefined> {
    while (this.#items.length === 0 && !this.#closed) {
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
    }
    return batch;
  }

  /** Called by the loader once a batch is in the database: its bytes no longer count. */
  release(batch: readonly StagedFile[]): void {
    for (const staged of batch) {
      this.#pendingBytes -= staged.planned.blob.size;
    }
    this.#notify();
  }

  /** Resolves once fewer than `limit` staged bytes wait for the loader (or on failure). */
  async waitForRoom(limit: number): Promise<void> {
    while (this.#pendingBytes >= limit && this.#error === undefined) {
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) {
      resolve();
    }
  }
}
