import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { InterruptedError } from '../errors.js';
import { type ChunkReader, streamReader } from './chunk-reader.js';
import { type DescribedSelect, describeSelect } from './describe-select.js';
import { type Fifo, makeFifo } from './fifo.js';
import { isBrokenPipe, isStreamingPlan, type PipeTarget, pipeTarget } from './pipe-target.js';
import { interruptOnAbort, type ResultColumn, toQueryError } from './run.js';
import { quoteLiteral } from './sql.js';
import { capCacheWhileStreaming } from './stream-memory.js';
import { childTypes, csvLine, formattedSelect } from './value-format.js';

/** What DuckDB writes: CSV with its header, JSON Lines, or one JSON array. */
export type TextFormat = 'csv' | 'ndjson' | 'json';

export interface TextResult {
  columns: readonly ResultColumn[];
  /**
   * The bytes DuckDB writes, as it writes them (nothing when it writes a file itself). Leaving
   * the loop early is fine: the rest is read and dropped, so DuckDB never blocks on a full pipe.
   */
  chunks: AsyncIterable<Buffer>;
  /** A chunk that was handed on and is no longer referenced: its buffer is read into again. */
  recycle(chunk: Buffer): void;
  /** Rows written, once DuckDB is done; its error (QueryError, InterruptedError) otherwise. */
  done: Promise<number>;
  /** Stops DuckDB early (the output went away); `done` then settles without an error. */
  cancel(): void;
  /**
   * For a process that exits while DuckDB still writes (`| head` closed the output): the exit
   * waits for the thread DuckDB writes from, so its pending write must fail now.
   */
  abandonSync(): void;
}

export interface TextResultOptions {
  format: TextFormat;
  signal?: AbortSignal;
  /** DuckDB writes this file itself (`-o`): nothing passes through this process. */
  toFile?: string;
  /**
   * A pipe DuckDB may write itself (stdout's, `/proc/self/fd/1`): taken when the query streams
   * (pipe-target.ts), otherwise the bytes pass through a FIFO and this process.
   */
  toPipe?: string;
  /**
   * Opens another connection to the same database. Given, DuckDB's cache of table blocks is
   * held small while the rows stream (stream-memory.ts); it is closed when the result ends.
   */
  openSideConnection?: () => Promise<DuckDBConnection>;
}

/**
 * One SELECT's result as text written by DuckDB itself (`COPY (query) TO …`), in mdq's value
 * format (value-format.ts): the speed of `mdq export`, with memory that does not grow with the
 * result. Into a file DuckDB writes directly; otherwise into a named pipe this process reads
 * (DuckDB waits while the pipe is full), or a temporary file where the system has no FIFO.
 * Returns undefined for anything that is not one SELECT-like statement (PRAGMA, INSERT …
 * RETURNING, several statements): the caller then converts rows itself (streamQuery).
 */
export async function streamSelectText(
  connection: DuckDBConnection,
  sql: string,
  options: TextResultOptions,
): Promise<TextResult | undefined> {
  if (options.signal?.aborted) {
    throw new InterruptedError();
  }
  const select = await describeSelect(connection, sql);
  if (select === undefined) {
    return undefined;
  }
  // The rows in mdq's value format: what the COPY writes, and what decides whether it streams.
  const query = formattedSelect(select.sql, select.typed, textStyle(options.format));
  const pipe = await streamingPipe(connection, query, options);
  if (pipe === 'closed') {
    return closedOutput(select);
  }
  const target = await textTarget(options.toFile, pipe);
  const stopInterrupting = interruptOnAbort(connection, options.signal);
  let isCancelled = false;
  pipe?.whileCopying();
  const copy = inAnyOrder(connection, () =>
    connection.run(copyStatement(query, options.format, target.path)),
  ).then(
    (result) => result.rowsChanged,
    async (error: unknown) => {
      // The pipe's reader left (`| head`): the output was cut short on purpose.
      if (isCancelled || (pipe !== undefined && isBrokenPipe(error))) {
        return 0;
      }
      throw await toQueryError(connection, error, options.signal, sql);
    },
  );
  void copy
    .catch(() => undefined)
    .then(async () => {
      stopInterrupting();
      await target.fifo?.writerDone();
    });
  const reader = await target.reader(copy);
  // Rows only follow what DuckDB writes before any (CSV header, `[`): once bytes go past it,
  // its last pipeline runs and every blocking operator (sort, join build, aggregate) is done.
  const prefix = prefixBytes(select, options.format);
  const cap = options.openSideConnection && target.isLive ? options.openSideConnection : undefined;
  const capping = cap ? capOnceRowsFlow(cap, leafColumns(select), prefix, target) : undefined;
  const done = copy.finally(async () => {
    await capping?.release();
    await target.remove();
  });
  done.catch(() => undefined); // handled by whoever awaits it; never an unhandled rejection
  return {
    columns: select.columns,
    chunks: observed(reader, capping),
    recycle: (chunk) => reader.recycle(chunk),
    done,
    cancel() {
      isCancelled = true;
      connection.interrupt();
      reader.drain();
    },
    abandonSync() {
      isCancelled = true;
      connection.interrupt();
      target.fifo?.closeSync();
    },
  };
}

/** The pipe DuckDB writes itself, when there is one and the query streams (pipe-target.ts). */
async function streamingPipe(
  connection: DuckDBConnection,
  query: string,
  options: TextResultOptions,
): Promise<PipeTarget | 'closed' | undefined> {
  if (options.toPipe === undefined || options.toFile !== undefined) {
    return undefined;
  }
  return (await isStreamingPlan(connection, query)) ? pipeTarget(options.toPipe) : undefined;
}

/** The result for an output whose reader is already gone: nothing to write, nothing run. */
function closedOutput(select: DescribedSelect): TextResult {
  return {
    columns: select.columns,
    chunks: (async function* () {})(),
    recycle: () => undefined,
    done: Promise.resolve(0),
    cancel: () => undefined,
    abandonSync: () => undefined,
  };
}

function textStyle(format: TextFormat): 'csv' | 'json' {
  return format === 'csv' ? 'csv' : 'json';
}

/**
 * Runs `write` with preserve_insertion_order off, then puts the setting back. DuckDB's
 * order-keeping COPY collects rows ahead of its writer without bound: 1.3-1.5 GB held at a
 * 56 MiB memory limit for 100 double columns, 5.3 GB for 300, 634 MB for 3M rows of 20, and
 * growing with the row count; written as they come, the same stay flat and run up to twice as
 * fast. An ORDER BY is still honoured (it is part of the query, however it is wrapped); rows of a
 * query without one come in no particular order, as SQL allows.
 */
async function inAnyOrder<T>(connection: DuckDBConnection, write: () => Promise<T>): Promise<T> {
  const reader = await connection.runAndReadAll(
    "SELECT current_setting('preserve_insertion_order')",
  );
  const before = reader.getRows()[0]?.[0] === true;
  await connection.run('SET preserve_insertion_order = false');
  try {
    return await write();
  } finally {
    // Never in place of the COPY's own outcome (an interrupt may reach this statement too).
    await connection.run(`SET preserve_insertion_order = ${before}`).catch(() => undefined);
  }
}

/** The COPY that writes the rows to `path`, with no temporary file beside it (a pipe has none). */
function copyStatement(query: string, format: TextFormat, path: string): string {
  const options = {
    csv: 'FORMAT csv, HEADER true',
    ndjson: 'FORMAT json',
    json: 'FORMAT json, ARRAY true',
  }[format];
  return `COPY (\n${query}\n) TO ${quoteLiteral(path)} (${options}, USE_TMP_FILE false)`;
}

/** Stored columns a scan of the result reads at once: struct fields and list elements apart. */
function leafColumns(select: DescribedSelect): number {
  return select.typed.reduce((sum, column) => sum + leavesOf(column.type), 0);
}

function leavesOf(type: DuckDBType): number {
  return childTypes(type).reduce((sum, child) => sum + leavesOf(child), 1);
}

/** Bytes DuckDB writes before the first row. */
function prefixBytes(select: DescribedSelect, format: TextFormat): number {
  if (format === 'csv') {
    return Buffer.byteLength(csvLine(select.columns.map((column) => column.name)));
  }
  return format === 'json' ? '[\n\t'.length : 0;
}

interface TextTarget {
  path: string;
  fifo?: Fifo;
  /** DuckDB writes the pipe itself (pipe-target.ts): nothing shows how far it got. */
  isPipe?: boolean;
  /** Bytes are read while DuckDB writes them (pipe or the user's file), not afterwards. */
  isLive: boolean;
  reader(copy: Promise<number>): Promise<ChunkReader>;
  remove(): Promise<void>;
}

async function textTarget(
  toFile: string | undefined,
  pipe: PipeTarget | undefined,
): Promise<TextTarget> {
  const written = pipe?.path ?? toFile;
  if (written !== undefined) {
    // DuckDB writes the pipe or the file itself: no byte passes through this process.
    const nothing = streamReader(Readable.from([]));
    return {
      path: written,
      isLive: true,
      isPipe: pipe !== undefined,
      reader: async () => nothing,
      remove: async () => pipe?.release(),
    };
  }
  const fifo = await makeFifo();
  if (fifo) {
    const reader = async () => fifo.reader;
    return { path: fifo.path, fifo, isLive: true, reader, remove: fifo.remove };
  }
  const folder = await mkdtemp(join(tmpdir(), 'mdq-out-'));
  const path = join(folder, 'result');
  return {
    path,
    isLive: false,
    // The finished file's bytes; nothing when DuckDB failed (its error is what `done` reports).
    async reader(copy) {
      const isWritten = await copy.then(
        () => true,
        () => false,
      );
      return streamReader(
        isWritten ? createReadStream(path, { highWaterMark: 1024 * 1024 }) : Readable.from([]),
      );
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

interface Capping {
  /** Awaited before the chunk that carries the first row is handed on. */
  onBytes(total: number): Promise<void>;
  release(): Promise<void>;
}

/**
 * Caps DuckDB's block cache (stream-memory.ts) once more than `prefix` bytes are out: seen in
 * the pipe's chunks, or, for a file DuckDB writes itself, in its size, looked at every 50 ms.
 */
function capOnceRowsFlow(
  openSideConnection: () => Promise<DuckDBConnection>,
  leaves: number,
  prefix: number,
  target: TextTarget,
): Capping {
  let restore: Promise<() => Promise<void>> | undefined;
  const start = () => {
    restore ??= capCacheWhileStreaming(openSideConnection, leaves);
    return restore;
  };
  let timer: NodeJS.Timeout | undefined;
  if (target.isPipe) {
    // Only a streaming plan writes into the pipe directly: no operator waits to fill memory.
    void start();
  } else if (target.fifo === undefined) {
    timer = setInterval(() => {
      void stat(target.path).then(
        (info) => {
          if (info.size > prefix) {
            clearInterval(timer);
            void start();
          }
        },
        () => undefined,
      );
    }, 50);
    timer.unref();
  }
  return {
    async onBytes(total) {
      if (total > prefix) {
        await start();
      }
    },
    async release() {
      clearInterval(timer);
      await (await restore)?.();
    },
  };
}

/** The reader's chunks, with the cap started on the way; an early exit drains the rest. */
async function* observed(
  reader: ChunkReader,
  capping: Capping | undefined,
): AsyncGenerator<Buffer> {
  let isComplete = false;
  let total = 0;
  try {
    for await (const chunk of reader) {
      total += chunk.length;
      await capping?.onBytes(total);
      yield chunk;
    }
    isComplete = true;
  } finally {
    if (!isComplete) {
      // A closed read end would make DuckDB fail with EPIPE at best, and block in open() at worst.
      reader.drain();
    }
  }
}
