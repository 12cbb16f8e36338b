/**
 * The blocks file sinks copy staged output into before writing it (stage.ts), shared by the
 * downloads of one pull. Each sink used to allocate its own: with ~1 MB blobs that was a fresh
 * 1 MiB ArrayBuffer per blob, alive for its download, so V8 promoted it, and the external
 * memory dying in the old generation started a full GC every ~100 ms (a 700 MB pull: 29
 * mark-compacts, 2 with shared blocks, and 8% less time).
 */
export class WriteBlocks {
  static readonly BYTES = 1024 * 1024;
  readonly #idle: Buffer[] = [];
  readonly #maxIdle: number;

  /** `maxIdle`: blocks kept for reuse; one or two per concurrent download is all that helps. */
  constructor(maxIdle = 16) {
    this.#maxIdle = maxIdle;
  }

  take(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafe(WriteBlocks.BYTES);
  }

  /** Only a block nothing reads any more: its contents are overwritten by the next taker. */
  give(block: Buffer): void {
    if (this.#idle.length < this.#maxIdle) {
      this.#idle.push(block);
    }
  }

  get idle(): number {
    return this.#idle.length;
  }
}
