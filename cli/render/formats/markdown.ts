import type { Cell, ResultColumn } from '../../../src/query/run.js';
import { escapeControl } from '../escape.js';
import { plainText, type StreamFormatter } from './formatter.js';

/**
 * A GitHub-flavoured Markdown table, for pasting into issues and notebooks. Cells are escaped
 * for the terminal (control characters) and for Markdown (`|`); NULL is shown as `NULL`.
 */
export function markdownFormatter(): StreamFormatter {
  return {
    begin(columns: readonly ResultColumn[]) {
      const header = columns.map((column) => markdownCell(column.name));
      const rule = columns.map((column) => (column.kind.endsWith('number') ? '---:' : '---'));
      return `| ${header.join(' | ')} |\n| ${rule.join(' | ')} |\n`;
    },
    rows(rows) {
      let text = '';
      for (const row of rows) {
        text += `| ${row.map((value) => markdownValue(value)).join(' | ')} |\n`;
      }
      return text;
    },
    end: () => '',
  };
}

function markdownValue(value: Cell): string {
  return value === null ? 'NULL' : markdownCell(plainText(value));
}

function markdownCell(text: string): string {
  return escapeControl(text).replaceAll('|', '\\|');
}
