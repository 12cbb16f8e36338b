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
