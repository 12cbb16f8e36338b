import type { Readable } from 'node:stream';
import type {
  AppendOptions,
  AppendResult,
  BlobInfo,
  BlobStore,
  CreateResult,
  ListEntry,
  ListOptions,
  ReadOptions,
} from '../../src/store/blob-store.js';

/** One list call as the decorated store saw it. */
export interface ListCall {
  prefix: string;
  delimiter: '/' | undefined;
}

/**
 * Wraps a store and records every list call (and counts the others), so tests can show how many
 * round trips discovery and range listing cost.
 */
export class CountingStore implements BlobStore {
  readonly description: string;
  readonly listCalls: ListCall[] = [];
  readonly counts = {
    stat: 0,
    read: 0,
    download: 0,
    put: 0,
    createAppendable: 0,
    append: 0,
    delete: 0,
  };
  readonly #inner: BlobStore;

  constructor(inner: BlobStore) {
    this.#inner = inner;
    this.description = inner.description;
  }

  reset(): void {
    this.listCalls.length = 0;
    for (const key of Object.keys(this.counts) as (keyof CountingStore['counts'])[]) {
      this.counts[key] = 0;
    }
  }

  /** Flat (no delimiter) list calls: discovery must never make one at the root. */
  flatListCalls(): ListCall[] {
    return this.listCalls.filter((call) => call.delimiter === undefined);
  }

  list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry> {
    this.listCalls.push({ prefix, delimiter: options?.delimiter });
    return this.#inner.list(prefix, options);
  }

  stat(name: string, options?: { signal?: AbortSignal }): Promise<BlobInfo | undefined> {
    this.counts.stat++;
    return this.#inner.stat(name, options);
  }

  read(name: string, options?: ReadOptions): Promise<Readable> {
    this.counts.read++;
    return this.#inner.read(name, options);
  }

  readBuffer(name: string, options?: ReadOptions): Promise<Buffer> {
    this.counts.read++;
    return this.#inner.readBuffer(name, options);
  }

  download(name: string, filePath: string, options?: { signal?: AbortSignal }): Promise<BlobInfo> {
    this.counts.download++;
    return this.#inner.download(name, filePath, options);
  }

  put(
    name: string,
    data: Uint8Array | Readable,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    this.counts.put++;
    return this.#inner.put(name, data, options);
  }

  createAppendable(name: string, initial: Uint8Array): Promise<CreateResult> {
    this.counts.createAppendable++;
    return this.#inner.createAppendable(name, initial);
  }

  append(name: string, data: Uint8Array, options?: AppendOptions): Promise<AppendResult> {
    this.counts.append++;
    return this.#inner.append(name, data, options);
  }

  delete(name: string): Promise<void> {
    this.counts.delete++;
    return this.#inner.delete(name);
  }
}
