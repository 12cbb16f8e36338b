import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../errors.js';
import {
  type AppendOptions,
  AppendPositionError,
  type AppendResult,
  type BlobInfo,
  type BlobStore,
  type CreateResult,
  type ListEntry,
  type ListOptions,
  type ReadOptions,
} from './blob-store.js';
import { readAll } from './read-all.js';

/**
 * A folder seen as a blob container (the embedded collector's default, and a copied-down
 * archive). Blob names map to relative paths; a name that would escape the folder is refused.
 */
export class LocalBlobStore implements BlobStore {
  readonly root: string;
  readonly description: string;
  /** See append(): another process's append can come between our check and our write. */
  readonly conditionalAppendLands = 'at-or-after';
  /** Per file: the tail of this process's appends, so a condition is checked and used at once. */
  readonly #appending = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.root = resolve(root);
    this.description = this.root;
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    const slash = prefix.lastIndexOf('/');
    const folderPrefix = prefix.slice(0, slash + 1);
    const namePrefix = prefix.slice(slash + 1);
    const entries = await this.#readdir(folderPrefix);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (options.signal?.aborted) {
        return;
      }
      if (!entry.name.startsWith(namePrefix) || entry.name.startsWith('.mdq-tmp-')) {
        continue;
      }
      const name = `${folderPrefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (options.delimiter === '/') {
          yield { kind: 'prefix', name: `${name}/` };
        } else {
          yield* this.list(`${name}/`, options);
        }
      } else if (entry.isFile()) {
        const info = await this.stat(name);
        if (info) {
          yield { kind: 'blob', ...info };
        }
      }
    }
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.#path(name));
      return s.isFile() ? toInfo(name, s.size, s.mtimeMs, s.mtime) : undefined;
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) {
        return undefined;
      }
      throw this.#wrap(error, name);
    }
  }

  async read(name: string, options: ReadOptions = {}): Promise<Readable> {
    const path = this.#path(name);
    const start = options.offset ?? 0;
    const end = options.length === undefined ? undefined : start + options.length - 1;
    // Open first so a missing blob fails here, not later inside the stream.
    const handle = await open(path, 'r').catch((error: unknown) => {
      throw this.#wrap(error, name);
    });
    if (end !== undefined && end < start) {
      // length 0 (e.g. a 0-byte blob downloaded with length = size): createReadStream rejects end -1.
      await handle.close();
      return Readable.from([]);
    }
    return createReadStream('', {
      fd: handle,
      start,
      ...(end === undefined ? {} : { end }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async readBuffer(name: string, options: ReadOptions = {}): Promise<Buffer> {
    return readAll(await this.read(name, options));
  }

  async download(
    name: string,
    filePath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<BlobInfo> {
    const info = await this.stat(name);
    if (!info) {
      throw notFound(name);
    }
    const source = await this.read(name, {
      length: info.size,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      await pipeline(source, createWriteStream(filePath));
    } catch (error) {
      throw this.#wrap(error, name);
    }
    return info;
  }

  async put(name: string, data: Uint8Array | Readable): Promise<void> {
    const path = this.#path(name);
    const tmp = await this.#tmpPath(path);
    try {
      await pipeline(
        data instanceof Readable ? data : Readable.from([data]),
        createWriteStream(tmp),
      );
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw this.#wrap(error, name);
    }
  }

  async createAppendable(name: string, initial: Uint8Array): Promise<CreateResult> {
    const path = this.#path(name);
    const tmp = await this.#tmpPath(path);
    try {
      // Write the header into a private file, then link it into place: link() fails with EEXIST
      // when another process got there first, so a blob never exists without its header.
      const handle = await open(tmp, 'wx');
      try {
        await handle.write(initial);
      } finally {
        await handle.close();
      }
      await link(tmp, path);
      return 'created';
    } catch (error) {
      if (isErrno(error, 'EEXIST')) {
        return 'exists';
      }
      throw this.#wrap(error, name);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * O_APPEND: the kernel positions each write at the end, so concurrent appenders never overwrite
   * each other and one write() lands contiguously. The `expectedOffset` condition is checked
   * under a per-file lock of this process, so the collector's live and replayed batches never
   * race. Across processes the check and the write are two steps; a process that appends in
   * between moves our bytes further back, which still stores them exactly once, and then no
   * `offset` is reported (`conditionalAppendLands: 'at-or-after'`, so an in-doubt append is
   * looked for past its offset). Unlike a network call, a write that fails has not landed, so a
   * retry never duplicates.
   */
  async append(name: string, data: Uint8Array, options: AppendOptions = {}): Promise<AppendResult> {
    const path = this.#path(name);
    const previous = this.#appending.get(path) ?? Promise.resolve();
    const result = previous.then(() => this.#appendNow(path, name, data, options.expectedOffset));
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#appending.set(path, settled);
    void settled.then(() => {
      if (this.#appending.get(path) === settled) {
        this.#appending.delete(path);
      }
    });
    return result;
  }

  async #appendNow(
    path: string,
    name: string,
    data: Uint8Array,
    expected: number | undefined,
  ): Promise<AppendResult> {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      // No O_CREAT: appending to a blob that was never created is an error, as on Azure.
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND);
      const before = (await handle.stat()).size;
      if (expected !== undefined && before !== expected) {
        throw new AppendPositionError(name, expected, before);
      }
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset);
        offset += bytesWritten;
      }
      const { size } = await handle.stat();
      return size === before + data.length ? { offset: before, size } : { size };
    } catch (error) {
      throw this.#wrap(error, name);
    } finally {
      await handle?.close();
    }
  }

  async delete(name: string): Promise<void> {
    await rm(this.#path(name), { force: true });
  }

  #path(name: string): string {
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) {
      throw new StorageError('invalid-blob-name', `invalid blob name "${name}"`);
    }
    const path = resolve(this.root, name);
    if (path !== this.root && !path.startsWith(this.root + sep)) {
      throw new StorageError(
        'invalid-blob-name',
        `blob name "${name}" leaves the folder ${this.root}`,
      );
    }
    return path;
  }

  async #tmpPath(path: string): Promise<string> {
    await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
      throw this.#wrap(error, path);
    });
    return join(dirname(path), `.mdq-tmp-${randomBytes(8).toString('hex')}`);
  }

  async #readdir(folderPrefix: string) {
    const path = folderPrefix === '' ? this.root : this.#path(folderPrefix);
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (error) {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) {
        if (folderPrefix === '') {
          throw new StorageError('source-not-found', `folder ${this.root} does not exist`, {
            hint: 'check --source, or collect some data first (mdq demo writes ./modeldata)',
          });
        }
        return [];
      }
      throw this.#wrap(error, folderPrefix);
    }
  }

  #wrap(error: unknown, name: string): StorageError {
    if (error instanceof StorageError) {
      return error;
    }
    if (isErrno(error, 'ENOENT')) {
      return notFound(name);
    }
    if (isErrno(error, 'EACCES') || isErrno(error, 'EPERM')) {
      return new StorageError('access-denied', `permission denied for ${name} in ${this.root}`, {
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new StorageError('storage-failed', `${name}: ${message}`, {
      cause: error,
      isTransient: isErrno(error, 'EAGAIN') || isErrno(error, 'EBUSY') || isErrno(error, 'EMFILE'),
    });
  }
}

function notFound(name: string): StorageError {
  return new StorageError('blob-not-found', `blob ${name} does not exist`);
}

function toInfo(name: string, size: number, mtimeMs: number, mtime: Date): BlobInfo {
  return { name, size, etag: `${size}-${Math.trunc(mtimeMs * 1000)}`, lastModified: mtime };
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
