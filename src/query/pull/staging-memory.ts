/**
 * Bytes of small blobs staged in memory (not yet loaded), across all downloads of a pull.
 * Small blobs stage in memory so thousands of them do not become thousands of files; but
 * batches are large (pull.ts) and up to two wait to be loaded, so without a cap ~1 MB blobs
 * held ~700 MB in memory (a 668 MB pull peaked at 1.4 GB RSS). Past the cap they stage to files.
 */
export class StagingMemory {
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Reserves `bytes` if they fit under the cap. */
  tryTake(bytes: number): boolean {
    if (this.#bytes + bytes > this.#maxBytes) {
      return false;
    }
    this.#bytes += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }
}
