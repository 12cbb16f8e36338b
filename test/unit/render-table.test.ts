import stringWidth from 'string-width';
import { expect, test } from 'vitest';
import { formatTable } from '../../cli/render/table.js';
import type { ResultColumn } from '../../src/query/run.js';

const text = (name: string): ResultColumn => ({ name, type: 'VARCHAR', kind: 'text' });
const number = (name: string): ResultColumn => ({ name, type: 'INTEGER', kind: 'number' });

test('a table has one rule under the header and none between rows', () => {
  const table = formatTable(
    [text('a'), number('n')],
    [
      ['x', 1],
      ['y', 2],
      ['z', 3],
    ],
  );
  expect(table).toBe(
    [
      '┌───┬───┐',
      '│ a │ n │',
      '├───┼───┤',
      '│ x │ 1 │',
      '│ y │ 2 │',
      '│ z │ 3 │',
      '└───┴───┘',
      '',
    ].join('\n'),
  );
});

test('NULL is not aligned as a number', () => {
  const table = formatTable([number('amount')], [[1234], [null]]);
  expect(table).toContain('│   1234 │');
  expect(table).toContain('│ NULL   │');
});

test('a wide result fits the terminal: long values cut, middle columns left out and marked', () => {
  const columns = Array.from({ length: 20 }, (_, index) => text(`column_${index}`));
  const row = columns.map((_, index) => (index === 0 ? 'k'.repeat(200) : `value ${index}`));
  const table = formatTable(columns, [row, row], { width: 80, hiddenColumnsHint: 'try \\x' });
  const lines = table.trimEnd().split('\n');
  for (const line of lines) {
    expect(stringWidth(line), line).toBeLessThanOrEqual(80);
  }
  // The first and the last columns stay; a … column stands for the rest.
  expect(lines[1]).toMatch(/^│ column_0 +│ .*│ … │ .*column_19 │$/);
  expect(lines[3]).toMatch(/^│ k+… │/);
  expect(lines.at(-1)).toMatch(/^\d of 20 columns shown \(… marks \d+ left out\); try \\x$/);
});

test('a table narrower than the terminal is shown whole, and wide characters count double', () => {
  const table = formatTable([text('名前'), text('b')], [['日本語', 'x']], { width: 30 });
  expect(table).toContain('│ 名前   │ b │');
  expect(table).toContain('│ 日本語 │ x │');
  expect(table).not.toContain('columns shown');
});

test('expanded mode: a block per row, one column per line, names aligned', () => {
  const table = formatTable(
    [text('service'), number('n'), text('note')],
    [
      ['irisapp', 1, null],
      ['other', 2, 'line\nbreak'],
    ],
    { expanded: true, width: 100 },
  );
  expect(table).toBe(
    [
      '-[ RECORD 1 ]---------------------------',
      'service | irisapp',
      'n       | 1',
      'note    | NULL',
      '-[ RECORD 2 ]---------------------------',
      'service | other',
      'n       | 2',
      'note    | line\\nbreak',
      '',
    ].join('\n'),
  );
  expect(formatTable([text('a')], [], { expanded: true })).toBe('(0 rows)\n');
});
