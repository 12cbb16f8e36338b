import { createWriteStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  newPipeline,
  type StoragePipelineOptions,
  type StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { ConfigError, MdqError, StorageError } from '../errors.js';
import { redactSecrets } from '../secrets.js';
import { serviceCodeOf, statusOf, toStorageError } from './azure-errors.js';
import { listPage } from './azure-list-page.js';
import { rangedGet } from './azure-ranged-get.js';
import {
  type AppendOptions,
  AppendPositionError,
  type AppendResult,
  type BlobInfo,
  type BlobStore,
  type CreateResult,
  type ListEntry,
  type ListOptions,
  MAX_APPEND_BYTES,
  type ReadOptions,
} from './blob-store.js';
import { lazyDefaultAzureCredential } from './lazy-credential.js';
import { readAll } from './read-all.js';

export interface AzureStoreOptions {
  /**
   * Tries per request inside the SDK (default 3, delays 0.1 s then 0.3 s): an unreachable endpoint
   * fails within about a second, and longer waits are the caller's choice (`withRetry`).
   */
  maxTries?: number;
}

/** Bytes buffered per block when uploading a stream, and blocks in flight. */
const UPLOAD_BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;
/** Re-issued GETs (from the last byte received) when a download stream breaks midway. */
const DOWNLOAD_RESUMES = 3;
/**
 * Bounded reads up to this size skip the SDK's download operation (azure-ranged-get.ts). They
 * are one round trip each, so resuming a broken stream buys little: the caller's retry reads
 * the blob again. Larger reads keep the SDK's resumable download.
 */
const DIRECT_READ_MAX_BYTES = 4 * 1024 * 1024;

function pipelineOptions(options: AzureStoreOptions): StoragePipelineOptions {
  return {
    retryOptions: { maxTries: options.maxTries ?? 3, retryDelayInMs: 100, maxRetryDelayInMs: 1000 },
  };
}

/**
 * A blob container in Azure Blob Storage (or Azurite). Collectors write append blobs here and
 * `mdq pull` lists and downloads from here; every SDK error is turned into a StorageError at
 * this boundary, and nothing printed ever carries the key or SAS.
 */
export class AzureBlobStore implements BlobStore {
  readonly description: string;
  readonly containerName: string;
  /** The account endpoint without credentials or query, safe to print. */
  readonly accountUrl: string;
  readonly #container: ContainerClient;
  #containerReady: Promise<void> | undefined;

  constructor(container: ContainerClient) {
    this.#container = container;
    this.containerName = container.containerName;
    this.accountUrl = accountUrlOf(container.url);
    this.description = `az://${this.containerName} at ${this.accountUrl}`;
  }

  /** Account key or SAS connection string (the collectors' `AML_MODEL_DC_STORAGE`). */
  static fromConnectionString(
    connectionString: string,
    container: string,
    options: AzureStoreOptions = {},
  ): AzureBlobStore {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(
        connectionString.trim(),
        pipelineOptions(options),
      );
    } catch (error) {
      // The SDK's message may quote the string; say what is wrong without repeating it.
      const reason = error instanceof Error ? redactSecrets(error.message) : 'unreadable';
      throw new ConfigError(`the Azure Storage connection string is malformed (${reason})`, {
        hint: 'copy it again from the portal: Storage account > Access keys > Connection string',
      });
    }
    return AzureBlobStore.fromServiceClient(service, container);
  }

  /**
   * `https://<account>.blob.core.windows.net/<container>[?<sas>]`, or Azurite's path-style
   * `http://127.0.0.1:<port>/<account>/<container>[?<sas>]`. With a SAS the URL is the
   * credential; without one, `credential` (an account key) or else DefaultAzureCredential
   * (az login, managed identity, AZURE_* env vars).
   */
  static fromContainerUrl(
    url: string,
    options: AzureStoreOptions = {},
    credential?: StorageSharedKeyCredential,
  ): AzureBlobStore {
    const hasSas = /[?&]sig=/.test(url);
    const chosen =
      credential ?? (hasSas ? new AnonymousCredential() : lazyDefaultAzureCredential());
    return new AzureBlobStore(
      new ContainerClient(url, newPipeline(chosen, pipelineOptions(options))),
    );
  }

  static fromServiceClient(service: BlobServiceClient, container: string): AzureBlobStore {
    return new AzureBlobStore(service.getContainerClient(container));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ListEntry> {
    let marker = '';
    try {
      do {
        // Pages of up to 5,000 entries, straight from the XML (azure-list-page.ts).
        const page = await listPage(this.#container, {
          prefix,
          marker,
          ...(options.delimiter === '/' ? { delimiter: '/' } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        yield* page.entries;
        marker = page.nextMarker;
      } while (marker !== '');
    } catch (error) {
      throw this.#error(error, prefix === '' ? undefined : prefix);
    }
  }

  async stat(name: string, options: { signal?: AbortSignal } = {}): Promise<BlobInfo | undefined> {
    try {
      const properties = await this.#container
        .getBlobClient(name)
        .getProperties(options.signal ? { abortSignal: options.signal } : {});
      return infoOf(name, properties);
    } catch (error) {
      if (statusOf(error) === 404 && serviceCodeOf(error) !== 'ContainerNotFound') {
        return undefined;
      }
      throw this.#error(error, name);
    }
  }

  async read(name: string, options: ReadOptions = {}): Promise<Readable> {
    const offset = options.offset ?? 0;
    if (options.length === 0) {
      // The SDK reads a count of 0 as "to the end"; a zero-length read is empty if the blob exists.
      if ((await this.stat(name, options)) === undefined) {
        throw this.#error({ statusCode: 404, details: { errorCode: 'BlobNotFound' } }, name);
      }
      return Readable.from([]);
    }
    if (options.length !== undefined && options.length <= DIRECT_READ_MAX_BYTES) {
      return this.#readDirect(name, { offset, length: options.length }, options.signal);
    }
    try {
      // download() + stream, not downloadToBuffer(): that one sends an extra HEAD first.
      const response = await this.#container.getBlobClient(name).download(offset, options.length, {
        maxRetryRequests: DOWNLOAD_RESUMES,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
      return this.#guardStream(response.readableStreamBody, name);
    } catch (error) {
      if (statusOf(error) === 416) {
        return Readable.from([]); // offset at or past the end: nothing to read, as with a file
      }
      throw this.#error(error, name);
    }
  }

  /** A small bounded read straight through the pipeline (azure-ranged-get.ts). */
  async #readDirect(
    name: string,
    range: { offset: number; length: number },
    signal: AbortSignal | undefined,
  ): Promise<Readable> {
    try {
      const body = await rangedGet(this.#container, name, range, signal);
      // undefined: 416, the range starts at or past the end, which reads as empty (as a file).
      return this.#guardStream(body, name);
    } catch (error) {
      throw this.#error(error, name);
    }
  }

  async readBuffer(name: string, options: ReadOptions = {}): Promise<Buffer> {
    return readAll(await this.read(name, options));
  }

  async download(
    name: string,
    filePath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<BlobInfo> {
    let response: Awaited<ReturnType<ReturnType<ContainerClient['getBlobClient']>['download']>>;
    try {
      response = await this.#container.getBlobClient(name).download(0, undefined, {
        maxRetryRequests: DOWNLOAD_RESUMES,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
    } catch (error) {
      throw this.#error(error, name);
    }
    let written = 0;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => {
      written += chunk.length;
    });
    try {
      // Streamed to disk: memory stays bounded whatever the blob's size.
      await pipeline(
        this.#guardStream(response.readableStreamBody, name),
        counter,
        createWriteStream(filePath),
      );
    } catch (error) {
      if (error instanceof MdqError) {
        throw error;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new StorageError(
        'download-failed',
        `cannot write ${filePath} for blob ${name}: ${reason}`,
        {
          cause: error,
        },
      );
    }
    return {
      name,
      size: response.contentLength ?? written,
      etag: response.etag ?? '',
      lastModified: response.lastModified ?? new Date(0),
    };
  }

  async put(
    name: string,
    data: Uint8Array | Readable,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const client = this.#container.getBlockBlobClient(name);
    const abort = options.signal ? { abortSignal: options.signal } : {};
    try {
      if (data instanceof Readable) {
        // A stream cannot be replayed after a failed first try, so make sure of the container first.
        await this.#ensureContainer(true);
        await client.uploadStream(data, UPLOAD_BLOCK_BYTES, UPLOAD_CONCURRENCY, abort);
      } else {
        await this.#withContainer(() => client.upload(data, data.byteLength, abort));
      }
    } catch (error) {
      throw this.#error(error, name);
    }
  }

  async createAppendable(name: string, initial: Uint8Array): Promise<CreateResult> {
    const client = this.#container.getAppendBlobClient(name);
    try {
      // Every writer runs both steps. create() only makes the blob exist (409 when it does); the
      // header then lands with appendPosition 0, which exactly one writer can win. A blob left
      // empty by a writer that crashed in between gets its header from the next writer.
      let created = true;
      await this.#withContainer(() => client.create({ conditions: { ifNoneMatch: '*' } })).catch(
        (error: unknown) => {
          const status = statusOf(error);
          if (status !== 409 && status !== 412) {
            throw error;
          }
          created = false;
        },
      );
      if (initial.byteLength === 0) {
        return created ? 'created' : 'exists';
      }
      try {
        await client.appendBlock(initial, initial.byteLength, {
          conditions: { appendPosition: 0 },
        });
        return 'created';
      } catch (error) {
        if (statusOf(error) === 412) {
          return 'exists';
        }
        throw error;
      }
    } catch (error) {
      throw this.#error(error, name);
    }
  }

  async append(name: string, data: Uint8Array, options: AppendOptions = {}): Promise<AppendResult> {
    if (data.byteLength > MAX_APPEND_BYTES) {
      throw new StorageError(
        'append-too-large',
        `append of ${data.byteLength} bytes to ${name} exceeds the ${MAX_APPEND_BYTES}-byte block limit`,
        { hint: 'split the batch into several appends' },
      );
    }
    const expected = options.expectedOffset;
    if (data.byteLength === 0) {
      // Azure refuses an empty block; appending nothing changes nothing, but the condition holds.
      if (expected === undefined) {
        return {};
      }
      const info = await this.stat(name);
      if (info === undefined) {
        throw this.#error({ statusCode: 404, details: { errorCode: 'BlobNotFound' } }, name);
      }
      if (info.size !== expected) {
        throw new AppendPositionError(name, expected, info.size);
      }
      return { offset: expected, size: expected };
    }
    try {
      // With appendPosition, the SDK's own retry of a request whose response was lost gets a
      // 412 instead of appending the block a second time; the caller reads the range back.
      // A missing blob or container is not created here (the blob needs its header first):
      // the error says which, and the caller creates it (createAppendable) and tries again.
      const response = await this.#container
        .getAppendBlobClient(name)
        .appendBlock(
          data,
          data.byteLength,
          expected === undefined ? {} : { conditions: { appendPosition: expected } },
        );
      const offset = Number(response.blobAppendOffset);
      return {
        ...(Number.isFinite(offset) ? { offset, size: offset + data.byteLength } : {}),
        ...(response.blobCommittedBlockCount === undefined
          ? {}
          : { blockCount: response.blobCommittedBlockCount }),
      };
    } catch (error) {
      if (expected !== undefined && statusOf(error) === 412) {
        // AppendPositionConditionNotMet: the only condition sent. The 412 carries no size.
        throw new AppendPositionError(name, expected);
      }
      throw this.#error(error, name);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.#container.getBlobClient(name).deleteIfExists();
    } catch (error) {
      if (serviceCodeOf(error) === 'ContainerNotFound') {
        return; // nothing to delete
      }
      throw this.#error(error, name);
    }
  }

  /**
   * Runs a write; when the container is missing, creates it and runs the write again. Missing
   * may mean deleted after this store created or saw it: the cached creation is forgotten, so a
   * long-running collector recreates it rather than spooling for ever.
   */
  async #withContainer<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (serviceCodeOf(error) !== 'ContainerNotFound') {
        throw error;
      }
    }
    this.#containerReady = undefined;
    await this.#ensureContainer(false);
    return operation();
  }

  /**
   * Creates the container (once per store until it goes missing again). `tolerateDenied`: a
   * container-scoped SAS may not create containers; then go on, and the write itself reports
   * what is wrong.
   */
  #ensureContainer(tolerateDenied: boolean): Promise<void> {
    this.#containerReady ??= this.#container.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        this.#containerReady = undefined;
        throw error;
      },
    );
    return tolerateDenied
      ? this.#containerReady.catch((error: unknown) => {
          if (statusOf(error) !== 403) {
            throw error;
          }
        })
      : this.#containerReady;
  }

  /** The SDK's body stream, with its errors turned into StorageErrors. */
  #guardStream(body: NodeJS.ReadableStream | undefined, name: string): Readable {
    if (body === undefined) {
      return Readable.from([]);
    }
    const source = body as Readable;
    const guarded = new PassThrough();
    source.on('error', (error) => guarded.destroy(this.#error(error, name)));
    guarded.on('close', () => {
      if (!source.readableEnded) {
        source.destroy();
      }
    });
    source.pipe(guarded);
    return guarded;
  }

  #error(error: unknown, blob: string | undefined): MdqError {
    return toStorageError(error, {
      description: this.description,
      container: this.containerName,
      account: this.accountUrl,
      ...(blob === undefined ? {} : { blob }),
    });
  }
}

/** `http://127.0.0.1:1234/devstoreaccount1` from a container URL, without container or SAS. */
function accountUrlOf(containerUrl: string): string {
  try {
    const url = new URL(containerUrl);
    const path = url.pathname.replace(/\/+$/, '');
    return `${url.protocol}//${url.host}${path.slice(0, path.lastIndexOf('/'))}`;
  } catch {
    return '(invalid url)';
  }
}

function infoOf(
  name: string,
  properties: { contentLength?: number; etag?: string; lastModified?: Date },
): BlobInfo {
  return {
    name,
    size: properties.contentLength ?? 0,
    etag: properties.etag ?? '',
    lastModified: properties.lastModified ?? new Date(0),
  };
}
