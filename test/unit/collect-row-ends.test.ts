import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import { csvLine } from '../../src/collect/csv.js';
import { RowTooLargeError, splitAtRowEnds } from '../../src/collect/row-ends.js';

const rows = [
  ['1', 'plain'],
  ['2', 'a "quoted", cell\r\nwith a line break'],
  ['3', 'ünïcödé and "more" quotes\n'],
  ['4', 'x'.repeat(40)],
  ['5', '"'],
];
const text = rows.map((row) => csvLine(row)).join('');

test('CSV runs end at row ends, never inside a quoted line break, each within the limit', () => {
  const max = 64;
  const runs = splitAtRowEnds(text, 'csv', max);
  expect(runs.length).toBeGreaterThan(1);
  expect(runs.map((run) => run.text).join('')).toBe(text);
  for (const run of runs) {
    expect(run.bytes).toBe(Buffer.byteLength(run.text));
    expect(run.bytes).toBeLessThanOrEqual(max);
    // Each run parses on its own into whole rows: nothing was cut inside one.
    expect(parse(run.text)).toHaveLength(run.rows);
  }
  expect(runs.reduce((sum, run) => sum + run.rows, 0)).toBe(rows.length);
  expect(runs.flatMap((run) => parse(run.text))).toEqual(rows);
});

test('everything fits: one run', () => {
  expect(splitAtRowEnds(text, 'csv', 10_000)).toEqual([
    { text, bytes: Buffer.byteLength(text), rows: rows.length },
  ]);
});

test('JSONL runs end at line ends', () => {
  const lines = ['{"a":"x\\ny"}\n', '{"a":"\\"q\\""}\n', '{"a":1}\n'];
  const runs = splitAtRowEnds(lines.join(''), 'jsonl', 16);
  expect(runs.map((run) => run.text)).toEqual(lines);
  expect(runs.map((run) => run.rows)).toEqual([1, 1, 1]);
});

test('a row larger than the limit is refused, naming its size', () => {
  const big = csvLine(['6', 'y'.repeat(100)]);
  expect(() => splitAtRowEnds(text + big, 'csv', 64)).toThrow(RowTooLargeError);
  expect(() => splitAtRowEnds(text + big, 'csv', 64)).toThrow(
    `a row of ${Buffer.byteLength(big)} bytes is larger than one append (64 bytes)`,
  );
});
