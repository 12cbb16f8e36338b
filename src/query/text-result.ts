import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InterruptedError } from '../errors.js';
import { describeSelect } from './describe-select.js';
import { makeFifo } from './fifo.js';
import { interruptOnAbort, type ResultColumn, toQueryError } from './run.js';
import { quoteLiteral } from './sql.js';
import { capCacheWhileStreaming } from './stream-memory.js';
import { formattedSelect } from './value-format.js';

/** Text DuckDB can write for a result: CSV rows (no header) or JSON Lines. */
export type TextFormat = 'csv' | 'ndjson';

export interface TextResult {
  columns: readonly ResultColumn[];
  /**
   * DuckDB's text of the rows, as it writes it. Stopping early (break, throw) is fine: the rest
   * is read and dropped while DuckDB is interrupted, so it never blocks on a full pipe.
   */
  chunks: AsyncIterable<Buffer>;
  /** Rows written, once DuckDB is done; its error (QueryError, InterruptedError) otherwise. */
  done: Promise<number>;
  /** Stops DuckDB early (the output went away); `done` then resolves with the rows so far. */
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
  /**
   * Opens another connection to the same database. Given, DuckDB's cache of table blocks is
   * held small while the rows stream (stream-memory.ts); it is closed when the result ends.
   */
  openSideConnection?: () => Promise<DuckDBConnection>;
}

/**
 * One SELECT's result as text written by DuckDB itself (`COPY (query) TO <named pipe>`), in
 * mdq's value format (value-format.ts): the speed of `mdq export`, with memory that does not
 * grow with the result, since DuckDB waits while the pipe is full. Returns undefined for
 * anything that is not one SELECT-like statement (PRAGMA, INSERT … RETURNING, several
 * statements): the caller then converts rows itself (streamQuery).
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
  const fifo = await makeFifo();
  const file = fifo ? undefined : await mkdtemp(join(tmpdir(), 'mdq-out-'));
  const path = fifo?.path ?? join(file as string, 'result');
  const copySql = `COPY (\n${formattedSelect(select.sql, select.typed, options.format === 'csv' ? 'csv' : 'json')}\n) TO ${quoteLiteral(path)} (${options.format === 'csv' ? 'FORMAT csv, HEADER false' : 'FORMAT json'}, USE_TMP_FILE false)`;
  const stopInterrupting = interruptOnAbort(connection, options.signal);
  let isCancelled = false;
  const copy = connection.run(copySql).then(
    (result) => result.rowsChanged,
    async (error: unknown) => {
      if (isCancelled) {
        return 0;
      }
      throw await toQueryError(connection, error, options.signal);
    },
  );
  void copy
    .catch(() => undefined)
    .then(async () => {
      stopInterrupting();
      await fifo?.writerDone();
    });
  // A pipe is read while DuckDB writes; a temporary file (no FIFO on this system) afterwards.
  const reader = fifo ? fifo.reader : await readWhenWritten(copy, path);
  let release: Promise<() => Promise<void>> | undefined;
  const onFirstChunk = async () => {
    if (options.openSideConnection) {
      release = capCacheWhileStreaming(options.openSideConnection);
      await release;
    }
  };
  const done = copy.finally(async () => {
    await finished(reader);
    await (await release)?.();
    await (fifo ? fifo.remove() : rm(file as string, { recursive: true, force: true }));
  });
  done.catch(() => undefined); // handled by whoever awaits it; never an unhandled rejection
  return {
    columns: select.columns,
    chunks: drainingChunks(reader, onFirstChunk),
    done,
    cancel() {
      isCancelled = true;
      connection.interrupt();
      reader.resume();
    },
    abandonSync() {
      isCancelled = true;
      connection.interrupt();
      fifo?.closeReaderSync();
    },
  };
}

/** The finished file's bytes; nothing when DuckDB failed (its error is what `done` reports). */
async function readWhenWritten(copy: Promise<number>, path: string): Promise<Readable> {
  const isWritten = await copy.then(
    () => true,
    () => false,
  );
  return isWritten ? createReadStream(path, { highWaterMark: 1024 * 1024 }) : Readable.from([]);
}

/**
 * The reader's chunks; leaving the loop early keeps draining instead of closing the pipe. The
 * first chunk means DuckDB's last pipeline runs: every blocking operator (sort, join build) is done.
 */
async function* drainingChunks(
  reader: Readable,
  onFirstChunk: () => Promise<void>,
): AsyncGenerator<Buffer> {
  let isComplete = false;
  let isFirst = true;
  try {
    for await (const chunk of reader.iterator({ destroyOnReturn: false })) {
      if (isFirst) {
        isFirst = false;
        await onFirstChunk();
      }
      yield chunk as Buffer;
    }
    isComplete = true;
  } finally {
    if (!isComplete) {
      // A closed read end would make DuckDB fail with EPIPE at best, and block in open() at worst.
      reader.resume();
    }
  }
}

function finished(reader: Readable): Promise<void> {
  if (reader.readableEnded || reader.destroyed) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    reader.once('close', resolve);
    reader.once('end', resolve);
    reader.once('error', () => resolve());
  });
}
