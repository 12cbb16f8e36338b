import type { Cell, ResultColumn } from '../../../src/query/run.js';

/**
 * A streaming output format: `begin` once, `rows` per chunk, `end` once. Each returns the text
 * to write, so the writer controls backpressure and the formatter stays pure.
 */
export interface StreamFormatter {
  begin(columns: readonly ResultColumn[]): string;
  rows(rows: readonly (readonly Cell[])[]): string;
  end(): string;
}

/** Plain text of a value, lossless: exact numbers keep every digit, nested values are JSON. */
export function plainText(value: Cell): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}
