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
} from './blob-store.js';

/**
 * A store seen from a folder inside it (`az://container/some/prefix`): names in and out are
 * relative to the prefix, so layout parsing and discovery work unchanged on a sub-tree.
 */
export class PrefixedBlobStore implements BlobStore {
  readonly description: string;
  readonly inner: BlobStore;
  /** Ends with '/'. */
  readonly prefix: string;
  readonly conditionalAppendLands: NonNullable<BlobStore['conditionalAppendLands']>;

  constructor(inner: BlobStore, prefix: string) {
    this.inner = inner;
    this.conditionalAppendLands = inner.conditionalAppendLands ?? 'exact';
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.description = `${inner.description} under ${this.prefix}`;
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry> {
    for await (const entry of this.inner.list(this.prefix + prefix, options)) {
      yield { ...entry, name: entry.name.slice(this.prefix.length) };
    }
  }

  async stat(name: string, options?: { signal?: AbortSignal }): Promise<BlobInfo | undefined> {
    const info = await this.inner.stat(this.prefix + name, options);
    return info && { ...info, name };
  }

  read(name: string, options?: ReadOptions): Promise<Readable> {
    return this.inner.read(this.prefix + name, options);
  }

  readBuffer(name: string, options?: ReadOptions): Promise<Buffer> {
    return this.inner.readBuffer(this.prefix + name, options);
  }

  async download(
    name: string,
    filePath: string,
    options?: { signal?: AbortSignal },
  ): Promise<BlobInfo> {
    return { ...(await this.inner.download(this.prefix + name, filePath, options)), name };
  }

  put(
    name: string,
    data: Uint8Array | Readable,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    return this.inner.put(this.prefix + name, data, options);
  }

  createAppendable(name: string, initial: Uint8Array): Promise<CreateResult> {
    return this.inner.createAppendable(this.prefix + name, initial);
  }

  append(name: string, data: Uint8Array, options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(this.prefix + name, data, options);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(this.prefix + name);
  }
}
