import type { Writable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../../src/errors.js';
import { type Cell, type QueryStream, streamQuery } from '../../src/query/run.js';
import { streamSelectText } from '../../src/query/text-result.js';
import { csvFormatter } from './formats/csv.js';
import type { StreamFormatter } from './formats/formatter.js';
import { jsonFormatter } from './formats/json.js';
import { markdownFormatter } from './formats/markdown.js';
import { ndjsonFormatter } from './formats/ndjson.js';
import { isTextFormat, sinkFor, write } from './sink.js';
import { formatTable, type TableOptions } from './table.js';
import { writeText } from './text-output.js';

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
  /** How a table is laid out: the terminal's width, expanded rows (table.ts). */
  table?: Omit<TableOptions, 'useColor'>;
  /** `out` is a terminal: csv, json and ndjson are escaped (table and markdown always are). */
  isTerminal?: boolean;
}

export interface WriteQueryOptions extends WriteResultOptions {
  signal?: AbortSignal;
  /**
   * `out` writes this file and nothing has been written to it: DuckDB may write the file itself
   * (csv, json, ndjson of a SELECT), and no byte passes through this process.
   */
  outputFile?: string;
  /** `out` is this pipe, and DuckDB may write it itself when the query streams. */
  outputPipe?: string;
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
  if (isTextFormat(format)) {
    const text = await streamSelectText(connection, sql, {
      format,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.outputFile !== undefined ? { toFile: options.outputFile } : {}),
      ...(options.outputPipe !== undefined ? { toPipe: options.outputPipe } : {}),
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
    await write(
      out,
      formatTable(result.columns, shown, { ...options.table, useColor: options.useColor ?? false }),
    );
  }
  if (rowsOmitted > 0 && options.notes) {
    await write(
      options.notes,
      `${shown.length} rows shown, ${rowsOmitted} more not shown (use --limit N or --all, or --format csv)\n`,
    );
  }
  return { rowsWritten: shown.length, rowsOmitted };
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
