import type { Readable } from 'node:stream';
import { StorageError } from '../errors.js';

/** One blob as listed: names are container-relative, `/`-separated, never starting with `/`. */
export interface BlobInfo {
  name: string;
  size: number;
  /** Changes whenever the content changes (Azure ETag; local: size + mtime). */
  etag: string;
  lastModified: Date;
}

export type ListEntry = ({ kind: 'blob' } & BlobInfo) | { kind: 'prefix'; name: string };

export interface ListOptions {
  /**
   * With `'/'`, list one level: blobs directly under `prefix` and sub-prefixes (ending in `/`).
   * Without, list every blob whose name starts with `prefix` (flat).
   */
  delimiter?: '/';
  signal?: AbortSignal;
}

export interface ReadOptions {
  /** Byte offset to start from (default 0). */
  offset?: number;
  /** Number of bytes to read (default: to the end). */
  length?: number;
  signal?: AbortSignal;
}

export interface AppendOptions {
  /**
   * Land only if the blob is exactly this many bytes long now (Azure's `appendPosition`);
   * otherwise nothing is written and `AppendPositionError` is thrown. A resent append that
   * already landed then fails instead of landing twice, which is what makes appends exactly-once.
   */
  expectedOffset?: number;
}

export interface AppendResult {
  /** Offset at which the block landed (the blob's size before it), when the backend knows it. */
  offset?: number;
  /** Size of the blob right after the append, when the backend knows it. */
  size?: number;
  /** Number of committed append blocks (Azure); rolling over before 50,000 is the caller's job. */
  blockCount?: number;
}

export type CreateResult = 'created' | 'exists';

/**
 * Storage seen as a container of named blobs. Two implementations pass the same contract suite:
 * a local folder (`LocalBlobStore`) and Azure Blob Storage (`AzureBlobStore`).
 * Every method throws `StorageError` (with `isTransient` set for retriable failures); third-party
 * errors never escape, and no message contains a secret.
 */
export interface BlobStore {
  /** Where this store points, safe to print (no keys, no SAS). */
  readonly description: string;

  /**
   * Where an append sent with `expectedOffset` can land. `'exact'` (Azure; the default): at that
   * offset or nowhere. `'at-or-after'` (a local folder): the condition is checked atomically only
   * within one process, so another process's append can slip in before ours, which then lands
   * further on. Whoever settles an in-doubt append must then look past the offset.
   */
  readonly conditionalAppendLands?: 'exact' | 'at-or-after';

  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry>;

  /** Metadata of one blob, or undefined when it does not exist. */
  stat(name: string, options?: { signal?: AbortSignal }): Promise<BlobInfo | undefined>;

  /** Content as a stream; StorageError code `blob-not-found` when missing. */
  read(name: string, options?: ReadOptions): Promise<Readable>;

  /** Whole content into memory (small blobs only: headers, dataref payloads, tests). */
  readBuffer(name: string, options?: ReadOptions): Promise<Buffer>;

  /** Download to a local file path (parent folders must exist); returns what was written. */
  download(name: string, filePath: string, options?: { signal?: AbortSignal }): Promise<BlobInfo>;

  /** Create or replace a whole blob (block blob on Azure). */
  put(name: string, data: Uint8Array | Readable, options?: { signal?: AbortSignal }): Promise<void>;

  /**
   * Create an appendable blob whose first bytes are `initial` (a CSV header, or empty), unless it
   * exists. Safe when several processes race: exactly one `initial` lands at offset 0; the others
   * get `'exists'` and must read the head to learn what is there.
   */
  createAppendable(name: string, initial: Uint8Array): Promise<CreateResult>;

  /**
   * Append bytes atomically at the end (one Azure append block, one O_APPEND write); concurrent
   * appenders never interleave within one call. The blob must exist (createAppendable).
   * With `expectedOffset`, the append is conditional (see AppendOptions). A transient failure
   * leaves it unknown whether the bytes landed: read the range back before sending them again.
   */
  append(name: string, data: Uint8Array, options?: AppendOptions): Promise<AppendResult>;

  delete(name: string): Promise<void>;
}

/** Largest single append: Azure's append block limit is 4 MiB (100 MiB on newer API versions). */
export const MAX_APPEND_BYTES = 4 * 1024 * 1024;
/** Azure refuses the 50,001st block of an append blob. */
export const MAX_APPEND_BLOCKS = 50_000;

/**
 * A conditional append found the blob at another size (another writer appended first, or an
 * earlier send of the same bytes landed): nothing was written. Not transient: sending the same
 * request again fails the same way; learn the size (and read the range back) first.
 */
export class AppendPositionError extends StorageError {
  readonly blob: string;
  readonly expectedOffset: number;
  /** The blob's size when the condition failed, when the backend reports it (local: always). */
  readonly currentSize: number | undefined;

  constructor(blob: string, expectedOffset: number, currentSize?: number) {
    super(
      'append-position-mismatch',
      `append to ${blob} expected it to be ${expectedOffset} bytes long${
        currentSize === undefined ? '' : ` but it is ${currentSize}`
      }`,
      { hint: 'another writer appended first: read the size again and append at the new end' },
    );
    this.blob = blob;
    this.expectedOffset = expectedOffset;
    this.currentSize = currentSize;
  }
}
