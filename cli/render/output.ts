import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError } from '../../src/errors.js';
import type { Cell, QueryStream } from '../../src/query/run.js';
import { csvFormatter } from './formats/csv.js';
import type { StreamFormatter } from './formats/formatter.js';
import { jsonFormatter } from './formats/json.js';
import { markdownFormatter } from './formats/markdown.js';
import { ndjsonFormatter } from './formats/ndjson.js';
import { formatTable, type TableOptions } from './table.js';

/**
 * Where a result goes and in which shape. A person at a terminal gets an aligned table with a
 * bounded number of rows; pipes, files and programs get NDJSON (or the `--format` asked for),
 * streamed chunk by chunk with backpressure so memory stays flat for any result size.
 * Data goes to `out`; the truncation note goes to `notes` (stderr).
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
}

export interface WriteResultSummary {
  rowsWritten: number;
  rowsOmitted: number;
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
  let rowsWritten = 0;
  await write(out, formatter.begin(result.columns));
  for await (const rows of result.chunks()) {
    rowsWritten += rows.length;
    await write(out, formatter.rows(rows));
  }
  await write(out, formatter.end());
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

/** Writes and, when the stream's buffer is full, waits for it to drain (backpressure). */
export async function write(stream: Writable, text: string): Promise<void> {
  if (text === '') {
    return;
  }
  if (!stream.write(text)) {
    await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
  }
}
