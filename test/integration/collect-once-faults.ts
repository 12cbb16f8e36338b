/**
 * Faults for the exactly-once tests: a store whose appends land and then report a transient
 * failure (what a connection reset after Azure committed the block looks like), and a TCP proxy
 * that forwards an append block request to Azurite but closes the connection instead of
 * passing the response back.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { StorageError } from '../../src/errors.js';
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

function lostResponse(name: string): StorageError {
  return new StorageError('storage-unreachable', `connection reset while appending to ${name}`, {
    isTransient: true,
  });
}

function unreachable(name: string): StorageError {
  return new StorageError('storage-unreachable', `cannot reach storage for ${name}`, {
    isTransient: true,
  });
}

/**
 * Wraps a real store. `loseResponse(n)` decides, for the n-th append (0-based), whether it lands
 * and then throws as if the response was lost. While `down` is set, every call fails as if
 * storage were unreachable. `onAppend` runs before each append reaches the real store.
 */
export class FaultyStore implements BlobStore {
  readonly description: string;
  readonly inner: BlobStore;
  down = false;
  appends = 0;
  lost = 0;
  loseResponse: (n: number) => boolean;
  /** Called before the n-th append reaches the real store. */
  beforeAppend: ((n: number) => void) | undefined;
  /** Called after the n-th append landed, before its (possibly lost) response returns. */
  afterAppend: ((n: number) => void) | undefined;

  constructor(inner: BlobStore, loseResponse: (n: number) => boolean = () => false) {
    this.inner = inner;
    this.description = inner.description;
    this.loseResponse = loseResponse;
  }

  #check(name: string): void {
    if (this.down) {
      throw unreachable(name);
    }
  }

  async *list(prefix: string, options?: ListOptions): AsyncIterable<ListEntry> {
    this.#check(prefix);
    yield* this.inner.list(prefix, options);
  }

  async stat(name: string, options?: { signal?: AbortSignal }): Promise<BlobInfo | undefined> {
    this.#check(name);
    return this.inner.stat(name, options);
  }

  async read(name: string, options?: ReadOptions): Promise<Readable> {
    this.#check(name);
    return this.inner.read(name, options);
  }

  async readBuffer(name: string, options?: ReadOptions): Promise<Buffer> {
    this.#check(name);
    return this.inner.readBuffer(name, options);
  }

  async download(
    name: string,
    filePath: string,
    options?: { signal?: AbortSignal },
  ): Promise<BlobInfo> {
    this.#check(name);
    return this.inner.download(name, filePath, options);
  }

  async put(
    name: string,
    data: Uint8Array | Readable,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    this.#check(name);
    return this.inner.put(name, data, options);
  }

  async createAppendable(name: string, initial: Uint8Array): Promise<CreateResult> {
    this.#check(name);
    return this.inner.createAppendable(name, initial);
  }

  async append(name: string, data: Uint8Array, options?: AppendOptions): Promise<AppendResult> {
    this.#check(name);
    const n = this.appends++;
    this.beforeAppend?.(n);
    const result = await this.inner.append(name, data, options);
    this.afterAppend?.(n);
    if (this.loseResponse(n)) {
      this.lost++;
      throw lostResponse(name);
    }
    return result;
  }

  async delete(name: string): Promise<void> {
    this.#check(name);
    return this.inner.delete(name);
  }
}

export interface ResponseDroppingProxy {
  /** The proxy's port: put it in place of Azurite's in the connection string. */
  port: number;
  /** Append block responses swallowed so far (each one's connection was closed). */
  dropped: () => number;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy in front of Azurite. For an append block request it forwards the request
 * and, when `drop(n)` says so for the n-th one, waits for Azurite's response (so the block is
 * committed) and then closes the client's connection without passing it on.
 */
export async function startResponseDroppingProxy(
  upstreamPort: number,
  drop: (n: number) => boolean,
): Promise<ResponseDroppingProxy> {
  let appendRequests = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let dropNextResponse = false;
    client.on('data', (chunk: Buffer) => {
      // A request's first packet holds its request line; SDK requests are small enough.
      const head = chunk.subarray(0, 512).toString('latin1');
      if (/^PUT [^ ]*comp=appendblock/m.test(head)) {
        dropNextResponse = drop(appendRequests++);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropNextResponse) {
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
