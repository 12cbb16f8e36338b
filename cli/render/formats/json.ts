import type { ResultColumn } from '../../../src/query/run.js';
import type { StreamFormatter } from './formatter.js';
import { jsonObject } from './json-value.js';

/** One JSON array of row objects, written as it streams (one object per line inside it). */
export function jsonFormatter(): StreamFormatter {
  let columns: readonly ResultColumn[] = [];
  let isFirst = true;
  return {
    begin(resultColumns) {
      columns = resultColumns;
      return '[';
    },
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `${isFirst ? '\n' : ',\n'}${jsonObject(row, columns)}`;
        isFirst = false;
      }
      return text;
    },
    end: () => (isFirst ? ']\n' : '\n]\n'),
  };
}

/**
 * The same array made from JSON Lines (DuckDB's JSON writer): `[`, each line's end but the last
 * turned into `,` + line end, `]`. JSON Lines never has a raw line end inside a record, so
 * every `\n` byte ends one.
 */
export function jsonLinesToArray(): { push(chunk: Buffer): Buffer; end(): string } {
  let hasRows = false;
  let isLineOpen = false; // the last byte seen ended a line that may not be the last one
  return {
    push(chunk) {
      if (chunk.length === 0) {
        return chunk;
      }
      const parts: Buffer[] = [Buffer.from(hasRows ? (isLineOpen ? ',\n' : '') : '[\n')];
      hasRows = true;
      const body = chunk[chunk.length - 1] === NEWLINE ? chunk.subarray(0, -1) : chunk;
      isLineOpen = body !== chunk;
      let start = 0;
      for (let end = body.indexOf(NEWLINE); end !== -1; end = body.indexOf(NEWLINE, start)) {
        parts.push(body.subarray(start, end), SEPARATOR);
        start = end + 1;
      }
      parts.push(body.subarray(start));
      return Buffer.concat(parts);
    },
    end: () => (hasRows ? '\n]\n' : '[]\n'),
  };
}

const NEWLINE = 0x0a;
const SEPARATOR = Buffer.from(',\n');
