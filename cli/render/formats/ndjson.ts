import type { ResultColumn } from '../../../src/query/run.js';
import type { StreamFormatter } from './formatter.js';
import { jsonObject } from './json-value.js';

/** One JSON object per line (JSON Lines): the default when stdout is piped. */
export function ndjsonFormatter(): StreamFormatter {
  let columns: readonly ResultColumn[] = [];
  return {
    begin(resultColumns) {
      columns = resultColumns;
      return '';
    },
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `${jsonObject(row, columns)}\n`;
      }
      return text;
    },
    end: () => '',
  };
}
