import type { Cell, ResultColumn } from '../../../src/query/run.js';
import { csvField, csvLine } from '../../../src/query/value-format.js';
import { plainText, type StreamFormatter } from './formatter.js';

/**
 * RFC 4180 CSV with a header row and LF line ends (csv-parse, pandas, Spark and Excel all read
 * it), quoted as DuckDB's own CSV writer quotes, so rows formatted here and rows DuckDB writes
 * (text-result.ts, `mdq export`) read the same. NULL is an empty unquoted field and the empty
 * string is `""`, so the two stay distinct.
 */
export function csvFormatter(): StreamFormatter {
  return {
    begin: csvHeader,
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `${row.map(csvCell).join(',')}\n`;
      }
      return text;
    },
    end: () => '',
  };
}

function csvHeader(columns: readonly ResultColumn[]): string {
  return csvLine(columns.map((column) => column.name));
}

function csvCell(value: Cell): string {
  if (value === null) {
    return '';
  }
  const text = plainText(value);
  return text === '' ? '""' : csvField(text);
}
