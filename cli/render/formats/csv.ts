import type { Cell, ResultColumn } from '../../../src/query/run.js';
import { plainText, type StreamFormatter } from './formatter.js';

/**
 * RFC 4180 CSV with a header row and LF line ends (csv-parse, pandas, Spark and Excel all read
 * it). NULL is an empty unquoted field and the empty string is `""`, so the two stay distinct.
 */
export function csvFormatter(): StreamFormatter {
  return {
    begin: (columns: readonly ResultColumn[]) =>
      `${columns.map((column) => csvField(column.name)).join(',')}\n`,
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

function csvCell(value: Cell): string {
  if (value === null) {
    return '';
  }
  const text = plainText(value);
  return text === '' ? '""' : csvField(text);
}

export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
