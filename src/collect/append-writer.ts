import { createHash } from 'node:crypto';
import { StorageError } from '../errors.js';
import {
  AppendPositionError,
  type AppendResult,
  type BlobStore,
  MAX_APPEND_BLOCKS,
  MAX_APPEND_BYTES,
} from '../store/blob-store.js';
import { withRetry } from '../store/retry.js';
import { type BlobTarget, blobName } from './target.js';

/**
 * An append whose outcome is not known: sent to `blob` with the condition `offset`, and then the
 * response was lost, the process ended, or storage failed. Its bytes are the first `length` bytes
 * of the batch's remaining text; whoever resends them first reads that range back.
 */
export interface InDoubtAppend {
  blob: string;
  offset: number;
  length: number;
  /** Rows in those bytes. */
  rows: number;
}

/** A run of whole chunks (each one collect() call) bound for one target. */
export interface Batch {
  key: string;
  target: BlobTarget;
  /** Encoded chunks not yet in storage; `write` removes each one once it has landed. */
  chunks: { text: string; bytes: number; rows: number }[];
  /**
   * Set while an append of the first chunks is on its way or its outcome is unknown. Whoever
   * takes the chunks over (the spool, on failure or exit) keeps it, so that a replay checks
   * the range before sending the bytes again. Emptying `chunks` tells the writer to stop.
   */
  inDoubt?: InDoubtAppend | undefined;
  /**
   * Awaited before each append is sent, with where it goes: a replay records it on disk, so
   * that if this process dies before the outcome is known, the next replayer can check.
   */
  beforeSend?: ((inDoubt: InDoubtAppend) => Promise<void>) | undefined;
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
  /** The blob's size as this writer last saw it: the next conditional append's offset. */
  size: number | undefined;
}

/** How often to re-read a blob head that another writer created but has not filled yet. */
const HEAD_READS = 6;
/** Conditional appends lost to other writers, in a row, before one piece is given up. */
const MAX_POSITION_CONFLICTS = 100;

/** Bytes read at a time when looking for an in-doubt append past its expected offset. */
const SEARCH_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Appends batches to the right blob of a target. It finds (or creates) the blob whose header
 * matches, steps aside to `<stem>-<8 hex of the header hash>` when the day's blob was started with
 * other columns, rolls over to `-1`, `-2`, ... before the block limit, and splits a batch into
 * appends below the block size at chunk boundaries. A chunk is never split: the collector cuts
 * calls above one append at row ends, so no other process's append can land inside a row.
 *
 * Exactly once: every append is conditional on the blob's size as last seen (one request per
 * append while this is the only writer). When the condition fails, or an append's outcome is
 * unknown (a transient error after which Azure may have committed it), the range is read back
 * before anything is sent again; equal bytes there mean it landed. A container or blob deleted
 * meanwhile is created again.
 */
export class AppendWriter {
  readonly #store: BlobStore;
  readonly #maxBlocks: number;
  readonly #maxAppendBytes: number;
  readonly #retries: number;
  readonly #current = new Map<string, Promise<Current>>();
  readonly #scratch = new ScratchBuffers();

  constructor(store: BlobStore, options: AppendWriterOptions = {}) {
    this.#store = store;
    this.#maxBlocks = options.maxBlocksPerBlob ?? MAX_APPEND_BLOCKS;
    this.#maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.#retries = options.retries ?? 2;
  }

  /**
   * Writes every chunk of the batch, removing each from `batch.chunks` once it is stored. Stops
   * early, without error, when someone else empties `batch.chunks` (spilled to the spool).
   */
  async write(batch: Batch): Promise<void> {
    while (batch.chunks.length > 0) {
      const { block, count, rows, scratch } = this.#nextBlock(batch);
      try {
        if (!(await this.#appendExactlyOnce(batch, block, rows))) {
          return;
        }
      } finally {
        if (scratch !== undefined) {
          this.#scratch.give(scratch);
        }
      }
      batch.chunks.splice(0, count);
    }
  }

  /**
   * Whether `block`, sent with the condition `offset`, is stored in `blob`: how an in-doubt
   * append is settled. Bytes from collect() carry a correlation id (random unless the caller
   * gives one) and a timestamp, so another writer's rows are never byte-equal to ours.
   */
  async isStoredAt(blob: string, offset: number, block: Buffer): Promise<boolean> {
    return (await this.#check(blob, offset, block, undefined)).landed;
  }

  /** isStoredAt, also telling the blob's size (undefined: it does not exist). */
  async #check(
    blob: string,
    offset: number,
    block: Buffer,
    knownSize: number | undefined,
  ): Promise<{ landed: boolean; size: number | undefined }> {
    const size = knownSize ?? (await this.#statSize(blob));
    if (size === undefined || size < offset + block.length) {
      return { landed: false, size };
    }
    const back = await this.#store.readBuffer(blob, { offset, length: block.length });
    if (back.equals(block)) {
      return { landed: true, size };
    }
    if (this.#store.conditionalAppendLands !== 'at-or-after') {
      return { landed: false, size };
    }
    return { landed: await this.#storedPast(blob, offset, block, size), size };
  }

  /**
   * For a store whose conditional appends may land past their offset (a folder shared by
   * processes): looks for the block in the rest of the blob, a window at a time.
   */
  async #storedPast(blob: string, offset: number, block: Buffer, size: number): Promise<boolean> {
    const window = Math.max(SEARCH_WINDOW_BYTES, 2 * block.length);
    for (let start = offset + 1; start + block.length <= size; start += window - block.length + 1) {
      const bytes = await this.#store.readBuffer(blob, {
        offset: start,
        length: Math.min(window, size - start),
      });
      if (bytes.indexOf(block) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** The blob's size; undefined when it, or its container, does not exist (any more). */
  async #statSize(blob: string): Promise<number | undefined> {
    try {
      return (await this.#store.stat(blob))?.size;
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * As many whole chunks as fit in one append. Several chunks are encoded straight into a reused
   * buffer (`scratch`, handed back once the append is settled): no joined string and no fresh
   * buffer of up to 4 MiB per append. A chunk larger than one append is refused: cutting it
   * here could cut a row, and another writer's append could land between the parts.
   */
  #nextBlock(batch: Batch): { block: Buffer; count: number; rows: number; scratch?: Buffer } {
    let bytes = 0;
    let count = 0;
    let rows = 0;
    for (const chunk of batch.chunks) {
      if (count > 0 && bytes + chunk.bytes > this.#maxAppendBytes) {
        break;
      }
      bytes += chunk.bytes;
      rows += chunk.rows;
      count++;
    }
    if (count === 1) {
      const block = Buffer.from(batch.chunks[0]?.text ?? '');
      if (block.length > this.#maxAppendBytes) {
        throw new StorageError(
          'append-too-large',
          `${block.length} bytes of rows for ${batch.target.folder} do not fit in one append (${this.#maxAppendBytes} bytes)`,
          { hint: 'cut them at row ends first (splitAtRowEnds)' },
        );
      }
      return { block, count, rows };
    }
    const scratch = this.#scratch.take(bytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      at += scratch.write((batch.chunks[i] as Batch['chunks'][number]).text, at);
    }
    if (at !== bytes) {
      // A chunk's byte count was off: never send a truncated block.
      this.#scratch.give(scratch);
      const text = batch.chunks
        .slice(0, count)
        .map((chunk) => chunk.text)
        .join('');
      return { block: Buffer.from(text), count, rows };
    }
    return { block: scratch.subarray(0, at), count, rows, scratch };
  }

  /** One append, exactly once: false when the batch was taken over (spilled) meanwhile. */
  async #appendExactlyOnce(batch: Batch, piece: Buffer, rows: number): Promise<boolean> {
    // The last send whose outcome is unknown; `size` is the blob's size seen after it failed.
    let doubt: { current: Current; offset: number; size?: number | undefined } | undefined;
    let conflicts = 0;
    const markDoubt = (value: typeof doubt) => {
      doubt = value;
      batch.inDoubt =
        value === undefined
          ? undefined
          : { blob: value.current.name, offset: value.offset, length: piece.length, rows };
    };
    return withRetry(
      async () => {
        for (;;) {
          if (doubt !== undefined) {
            // Only a size seen after the failed send may be used here: an older one could hide
            // our bytes and have them sent twice.
            const { current, offset } = doubt;
            const { landed, size } = await this.#check(current.name, offset, piece, doubt.size);
            markDoubt(undefined);
            if (landed) {
              return true;
            }
            current.size = size;
          }
          const current = await this.#resolve(batch);
          const offset = current.size ?? (await this.#sizeOf(batch, current));
          if (batch.chunks.length === 0) {
            return false; // spilled to the spool meanwhile: it owns the rows now
          }
          current.size = offset;
          markDoubt({ current, offset });
          if (batch.beforeSend !== undefined && batch.inDoubt !== undefined) {
            await batch.beforeSend(batch.inDoubt);
          }
          let result: AppendResult;
          try {
            result = await this.#store.append(current.name, piece, { expectedOffset: offset });
          } catch (error) {
            current.size = undefined;
            if (error instanceof AppendPositionError) {
              // Another writer appended first, or an earlier send of ours landed (the SDK resent
              // it after a lost response): settle that, then go again at the new end.
              current.size = error.currentSize;
              markDoubt({ current, offset, size: error.currentSize });
              if (++conflicts > MAX_POSITION_CONFLICTS) {
                throw error;
              }
              continue;
            }
            if (isBlockLimit(error) || isNotFound(error)) {
              // Another writer filled the blob, or it (or its container) was removed: nothing
              // landed; find the next one, or create it again, and try again.
              markDoubt(undefined);
              this.#advance(batch, current, isBlockLimit(error));
              throw new StorageError(
                'append-retarget',
                `${current.name} cannot take more appends`,
                {
                  cause: error,
                  isTransient: true,
                },
              );
            }
            // Outcome unknown: the next try (or the spool's replay) reads the range back first.
            throw error;
          }
          markDoubt(undefined);
          current.size =
            result.size ?? (result.offset === undefined ? undefined : result.offset + piece.length);
          if (result.blockCount !== undefined && result.blockCount >= this.#maxBlocks) {
            this.#advance(batch, current, true);
          }
          return true;
        }
      },
      { retries: this.#retries },
    );
  }

  /** The blob's size now; a vanished blob is forgotten, so the next try finds or creates it. */
  async #sizeOf(batch: Batch, current: Current): Promise<number> {
    const size = await this.#statSize(current.name);
    if (size === undefined) {
      this.#advance(batch, current, false);
      throw new StorageError('append-retarget', `${current.name} no longer exists`, {
        isTransient: true,
      });
    }
    return size;
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
        return { stem, n, name, size: header.length };
      }
      if (header.length === 0 || (await this.#headMatches(name, header))) {
        // Someone else's blob: its size is learnt (one stat) before the first append.
        return { stem, n, name, size: undefined };
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
}

/**
 * Append buffers reused across appends. Each is lent to one append at a time (targets append in
 * parallel, so more than one may be out); at most two are kept between appends.
 */
class ScratchBuffers {
  readonly #spare: Buffer[] = [];

  take(bytes: number): Buffer {
    const index = this.#spare.findIndex((buffer) => buffer.length >= bytes);
    if (index >= 0) {
      return this.#spare.splice(index, 1)[0] as Buffer;
    }
    // Power-of-two sizes from 64 KiB, so a growing load settles on one size; never pooled memory.
    return Buffer.allocUnsafeSlow(Math.max(65_536, 2 ** Math.ceil(Math.log2(bytes))));
  }

  give(buffer: Buffer): void {
    this.#spare.push(buffer);
    if (this.#spare.length > 2) {
      this.#spare.sort((a, b) => b.length - a.length).pop();
    }
  }
}

/** 8 hex chars naming a header's sibling blob, the same in every process. */
export function headerHash(header: string): string {
  return createHash('sha256').update(header).digest('hex').slice(0, 8);
}

function isBlockLimit(error: unknown): boolean {
  return error instanceof Error && /BlockCountExceedsLimit/.test(error.message);
}

/** The blob or its whole container is gone (deleted after we created it, say). */
function isNotFound(error: unknown): boolean {
  return (
    error instanceof StorageError &&
    (error.code === 'blob-not-found' || error.code === 'container-not-found')
  );
}
