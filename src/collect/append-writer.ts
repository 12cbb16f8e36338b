import { createHash } from 'node:crypto';
import { StorageError } from '../errors.js';
import { type BlobStore, MAX_APPEND_BLOCKS, MAX_APPEND_BYTES } from '../store/blob-store.js';
import { withRetry } from '../store/retry.js';
import { type BlobTarget, blobName } from './target.js';

/** A run of whole chunks (each one collect() call) bound for one target. */
export interface Batch {
  key: string;
  target: BlobTarget;
  /** Encoded chunks not yet in storage; `write` removes each one once it has landed. */
  chunks: { text: string; bytes: number; rows: number }[];
}

export interface AppendWriterOptions {
  /** Roll over to the next blob at this many blocks (default: Azure's 50,000 limit). */
  maxBlocksPerBlob?: number;
  /** Largest single append (default MAX_APPEND_BYTES). */
  maxAppendBytes?: number;
  /** Retries of one append on transient errors before the batch is given up (to the spool). */
  retries?: number;
}

interface Current {
  stem: string;
  n: number;
  name: string;
}

/** How often to re-read a blob head that another writer created but has not filled yet. */
const HEAD_READS = 6;

/**
 * Appends batches to the right blob of a target. It finds (or creates) the blob whose header
 * matches, steps aside to `<stem>-<8 hex of the header hash>` when the day's blob was started with
 * other columns, rolls over to `-1`, `-2`, ... before the block limit, and splits a batch into
 * appends below the block size at chunk boundaries, so one call's rows stay contiguous even
 * when other processes append to the same blob.
 */
export class AppendWriter {
  readonly #store: BlobStore;
  readonly #maxBlocks: number;
  readonly #maxAppendBytes: number;
  readonly #retries: number;
  readonly #current = new Map<string, Promise<Current>>();

  constructor(store: BlobStore, options: AppendWriterOptions = {}) {
    this.#store = store;
    this.#maxBlocks = options.maxBlocksPerBlob ?? MAX_APPEND_BLOCKS;
    this.#maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.#retries = options.retries ?? 2;
  }

  /** Writes every chunk of the batch, removing each from `batch.chunks` once it is stored. */
  async write(batch: Batch): Promise<void> {
    while (batch.chunks.length > 0) {
      const { block, count } = this.#nextBlock(batch);
      await this.#appendBlock(batch, block);
      batch.chunks.splice(0, count);
    }
  }

  /** As many whole chunks as fit in one append; a single oversized chunk is cut at line ends. */
  #nextBlock(batch: Batch): { block: Buffer; count: number } {
    let bytes = 0;
    let count = 0;
    for (const chunk of batch.chunks) {
      if (count > 0 && bytes + chunk.bytes > this.#maxAppendBytes) {
        break;
      }
      bytes += chunk.bytes;
      count++;
    }
    const block = Buffer.from(
      count === 1
        ? (batch.chunks[0]?.text ?? '')
        : batch.chunks
            .slice(0, count)
            .map((chunk) => chunk.text)
            .join(''),
    );
    return { block, count };
  }

  async #appendBlock(batch: Batch, block: Buffer): Promise<void> {
    const pieces = block.length <= this.#maxAppendBytes ? [block] : this.#split(block);
    for (const piece of pieces) {
      await withRetry(() => this.#appendOnce(batch, piece), { retries: this.#retries });
    }
  }

  async #appendOnce(batch: Batch, piece: Buffer): Promise<void> {
    const current = await this.#resolve(batch);
    let result: Awaited<ReturnType<BlobStore['append']>>;
    try {
      result = await this.#store.append(current.name, piece);
    } catch (error) {
      if (isBlockLimit(error) || isNotFound(error)) {
        // Another writer filled the blob, or it was removed: find the next one and try again.
        this.#advance(batch, current, isBlockLimit(error));
        throw new StorageError('append-retarget', `${current.name} cannot take more appends`, {
          cause: error,
          isTransient: true,
        });
      }
      throw error;
    }
    if (result.blockCount !== undefined && result.blockCount >= this.#maxBlocks) {
      this.#advance(batch, current, true);
    }
  }

  /** Moves the target to the following blob (rollover), or forgets it so it is found again. */
  #advance(batch: Batch, current: Current, next: boolean): void {
    if (!next) {
      this.#current.delete(batch.key);
      return;
    }
    this.#current.set(batch.key, this.#find(batch.target, current.stem, current.n + 1));
  }

  #resolve(batch: Batch): Promise<Current> {
    let current = this.#current.get(batch.key);
    if (current === undefined) {
      current = this.#find(batch.target, batch.target.stem, 0);
      // A failed lookup must not stick: the next write looks again.
      current.catch(() => this.#current.delete(batch.key));
      this.#current.set(batch.key, current);
    }
    return current;
  }

  /** The first blob from `<stem>[-n]` on that is new or starts with this target's header. */
  async #find(target: BlobTarget, startStem: string, startN: number): Promise<Current> {
    const header = Buffer.from(target.header);
    let stem = startStem;
    let n = startN;
    for (;;) {
      const name = blobName(target, stem, n);
      if ((await this.#store.createAppendable(name, header)) === 'created') {
        return { stem, n, name };
      }
      if (header.length === 0 || (await this.#headMatches(name, header))) {
        return { stem, n, name };
      }
      if (stem === target.stem) {
        // The day's blob has other columns: a sibling named by this header, so every process
        // with these columns meets in the same blob.
        stem = `${target.stem}-${headerHash(target.header)}`;
        n = 0;
      } else {
        n++;
      }
    }
  }

  async #headMatches(name: string, header: Buffer): Promise<boolean> {
    for (let attempt = 0; attempt < HEAD_READS; attempt++) {
      const head = await this.#store.readBuffer(name, { length: header.length });
      if (head.equals(header)) {
        return true;
      }
      // Created by another writer whose header append is still on its way: look again shortly.
      const stillFilling =
        head.length < header.length && header.subarray(0, head.length).equals(head);
      if (!stillFilling) {
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
    return false;
  }

  /** An oversized single chunk, cut after line ends (rows stay whole unless one row is huge). */
  #split(block: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let start = 0;
    while (start < block.length) {
      let end = Math.min(block.length, start + this.#maxAppendBytes);
      if (end < block.length) {
        const newline = block.lastIndexOf(0x0a, end - 1);
        if (newline >= start) {
          end = newline + 1;
        }
      }
      pieces.push(block.subarray(start, end));
      start = end;
    }
    return pieces;
  }
}

/** 8 hex chars naming a header's sibling blob, the same in every process. */
export function headerHash(header: string): string {
  return createHash('sha256').update(header).digest('hex').slice(0, 8);
}

function isBlockLimit(error: unknown): boolean {
  return error instanceof Error && /BlockCountExceedsLimit/.test(error.message);
}

function isNotFound(error: unknown): boolean {
  return error instanceof StorageError && error.code === 'blob-not-found';
}
