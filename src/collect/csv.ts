/**
 * RFC 4180 CSV with minimal quoting, the dialect Python's `csv.writer` (QUOTE_MINIMAL) writes for
 * the Azure ML collectors' headers and list rows.
 *
 * Line ending: CRLF for every line. RFC 4180 prescribes it, it is what `csv.writer` emits for the
 * collectors' headers, and one ending throughout keeps each blob uniform (DuckDB refuses the
 * CRLF-header/LF-row mix the pandas path of the old collectors produced). mdq's reader accepts
 * both endings.
 */
export const CSV_EOL = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null/undefined/NaN → empty (as pandas writes them), objects as JSON text. */
export function csvField(value: unknown): string {
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
      return Number.isNaN(value) ? '' : String(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    default:
      if (value === null) {
        return '';
      }
      text = value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? '');
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Cells joined by commas, without the line ending. */
export function csvCells(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    line += i === 0 ? csvField(values[i]) : `,${csvField(values[i])}`;
  }
  return line;
}

/** A complete line, CRLF-terminated. */
export function csvLine(values: readonly unknown[]): string {
  return `${csvCells(values)}${CSV_EOL}`;
}
