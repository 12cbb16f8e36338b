import type { ResultColumn } from '../../../src/query/run.js';
import type { StreamFormatter } from './formatter.js';
import { jsonObject } from './json-value.js';

/**
 * One JSON array of row objects, written as it streams, laid out as DuckDB's JSON writer lays
 * it out (`[`, a tab-indented object per line, `]`), so a SELECT's json (written by DuckDB)
 * and any other statement's read alike.
 */
export function jsonFormatter(): StreamFormatter {
  let columns: readonly ResultColumn[] = [];
  let isFirst = true;
  return {
    begin(resultColumns) {
      columns = resultColumns;
      return '[\n\t';
    },
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `${isFirst ? '' : ',\n\t'}${jsonObject(row, columns)}`;
        isFirst = false;
      }
      return text;
    },
    end: () => '\n]\n',
  };
}
