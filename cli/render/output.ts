import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../../src/errors.js';
import { type Cell, type QueryStream, streamQuery } from '../../src/query/run.js';
import { streamSelectText, type TextResult } from '../../src/query/text-result.js';
import { csvFormatter, csvHeader } from './formats/csv.js';
import type { StreamFormatter } from './formats/formatter.js';
import { jsonFormatter, jsonLinesToArray } from './formats/json.js';
import { markdownFormatter } from './formats/markdown.js';
import { ndjsonFormatter } from './formats/ndjson.js';
import { formatTable } from './table.js';
import { type TerminalEscaper, terminalEscaper } from './terminal-escape.js';

/**
 * Where a result goes and in which shape. A person at a terminal gets an aligned table with a
 * bounded number of rows; pipes, files and programs get NDJSON (or the `--format` asked for),
 * streamed with backpressure so memory stays flat for any result size. Data goes to `out`; the
 * truncation note goes to `notes` (stderr). On a terminal, control characters are escaped
 * whatever the format; in a pipe or file the bytes are exact.
 */
export const OUTPUT_FORMATS = ['table', 'csv', 'json', 'ndjson', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_TABLE_LIMIT = 100;

export function resolveFormat(requested: string | undefined, isTerminal: boolean): OutputFormat {
  if (requested === undefined) {
    return isTerminal ? 'table' : 'ndjson';
  }
  if (!(OUTPUT_FORMATS as readonly string[]).includes(requested)) {
    throw new UsageError(`unknown --format ${JSON.stringify(requested)}`, {
      hint: `use one of ${OUTPUT_FORMATS.join(', ')}`,
    });
  }
  return requested as OutputFormat;
}

export interface WriteResultOptions {
  format: OutputFormat;
  /** Rows shown in table format (ignored by streaming formats); undefined = all. */
  tableLimit?: number | undefined;
  useColor?: boolean;
  /** Receives the "N more rows not shown" note. */
  notes?: Writable;
  /** `out` is a terminal: csv, json and ndjson are escaped (table and markdown always are). */
  isTerminal?: boolean;
}

export interface WriteQueryOptions extends WriteResultOptions {
  signal?: AbortSignal;
  /** Another connection to the database: lets DuckDB's block cache be capped while rows stream. */
  openSideConnection?: () => Promise<DuckDBConnection>;
}

export interface WriteResultSummary {
  rowsWritten: number;
  rowsOmitted: number;
}

/**
 * Runs `sql` and writes its result. csv, json and ndjson of one SELECT are written by DuckDB
 * itself (text-result.ts: `mdq export`'s speed, the same value format); anything else is read
 * row by row and formatted here.
 */
export async function writeQuery(
  connection: DuckDBConnection,
  sql: string,
  out: Writable,
  options: WriteQueryOptions,
): Promise<WriteResultSummary> {
  const { format } = options;
  if (format === 'csv' || format === 'json' || format === 'ndjson') {
    const text = await streamSelectText(connection, sql, {
      format: format === 'csv' ? 'csv' : 'ndjson',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.openSideConnection ? { openSideConnection: options.openSideConnection } : {}),
    });
    if (text !== undefined) {
      return writeText(text, sinkFor(out, options));
    }
  }
  const result = await streamQuery(connection, sql, withSignal(options.signal));
  return writeResult(result, out, options);
}

export async function writeResult(
  result: QueryStream,
  out: Writable,
  options: WriteResultOptions,
): Promise<WriteResultSummary> {
  if (options.format === 'table') {
    return writeTable(result, out, options);
  }
  const formatter = streamFormatter(options.format);
  const sink = sinkFor(out, options);
  let rowsWritten = 0;
  await sink.write(formatter.begin(result.columns));
  for await (const rows of result.chunks()) {
    rowsWritten += rows.length;
    await sink.write(formatter.rows(rows));
  }
  await sink.write(formatter.end());
  await sink.end();
  return { rowsWritten, rowsOmitted: 0 };
}

/** DuckDB's text, framed (CSV header, JSON array brackets) and written with backpressure. */
async function writeText(text: TextResult, sink: Sink): Promise<WriteResultSummary> {
  const array = sink.format === 'json' ? jsonLinesToArray() : undefined;
  // A closed pipe (`| head`) makes the CLI exit at once (process-main.ts); the exit waits for
  // the thread DuckDB writes from, so that write must not be left waiting on the pipe.
  const abandon = () => text.abandonSync();
  process.once('exit', abandon);
  try {
    if (sink.format === 'csv') {
      await sink.write(csvHeader(text.columns));
    }
    for await (const chunk of text.chunks) {
      await sink.write(array ? array.push(chunk) : chunk);
    }
  } catch (error) {
    text.cancel(); // the output failed: stop DuckDB rather than let it write into nothing
    await text.done.catch(() => undefined);
    throw error;
  } finally {
    process.off('exit', abandon);
  }
  // A query that failed half-way leaves its output unclosed (no `]`): it must not look whole.
  const rowsWritten = await text.done;
  await sink.write(array?.end() ?? '');
  await sink.end();
  return { rowsWritten, rowsOmitted: 0 };
}

interface Sink {
  format: OutputFormat;
  write(chunk: Buffer | string): Promise<void>;
  end(): Promise<void>;
}

/** Writes to `out`, through the terminal escaper when `out` is a terminal. */
function sinkFor(out: Writable, options: WriteResultOptions): Sink {
  const { format } = options;
  const escaper: TerminalEscaper | undefined =
    options.isTerminal && (format === 'csv' || format === 'json' || format === 'ndjson')
      ? terminalEscaper(format === 'csv' ? 'csv' : 'json')
      : undefined;
  return {
    format,
    write: (chunk) => write(out, escaper ? escaper.push(chunk) : chunk),
    end: () => write(out, escaper?.end() ?? ''),
  };
}

function streamFormatter(format: Exclude<OutputFormat, 'table'>): StreamFormatter {
  switch (format) {
    case 'csv':
      return csvFormatter();
    case 'json':
      return jsonFormatter();
    case 'ndjson':
      return ndjsonFormatter();
    case 'markdown':
      return markdownFormatter();
  }
}

async function writeTable(
  result: QueryStream,
  out: Writable,
  options: WriteResultOptions,
): Promise<WriteResultSummary> {
  const limit = options.tableLimit ?? Number.POSITIVE_INFINITY;
  const shown: Cell[][] = [];
  let rowsOmitted = 0;
  // Keep reading past the limit only to count: the count is what the note promises.
  for await (const rows of result.chunks()) {
    const room = Math.max(0, limit - shown.length);
    shown.push(...rows.slice(0, room));
    rowsOmitted += Math.max(0, rows.length - room);
  }
  if (result.columns.length > 0) {
    await write(out, formatTable(result.columns, shown, { useColor: options.useColor ?? false }));
  }
  if (rowsOmitted > 0 && options.notes) {
    await write(
      options.notes,
      `${shown.length} rows shown, ${rowsOmitted} more not shown (use --limit N or --all, or --format csv)\n`,
    );
  }
  return { rowsWritten: shown.length, rowsOmitted };
}

/**
 * Writes and, when the stream's buffer is full, waits for it to drain (backpressure). Every
 * listener added for the wait is removed after it, whichever event ends it: a long result waits
 * thousands of times.
 */
export async function write(stream: Writable, chunk: Buffer | string): Promise<void> {
  if (chunk.length === 0) {
    return;
  }
  if (!stream.write(chunk)) {
    await drained(stream);
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new OutputClosedError());
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}

/** The reader of the output went away before the result was written. */
export class OutputClosedError extends Error {
  constructor() {
    super('the output was closed before the result was written');
    this.name = 'OutputClosedError';
  }
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
