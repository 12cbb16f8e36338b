import { expect, test } from 'vitest';
import { csvField, csvLine } from '../../src/collect/csv.js';
import { toRows } from '../../src/collect/rows.js';
import { pythonIsoformat, wholeSecondsUtc } from '../../src/collect/timestamps.js';

test('csv: minimal RFC 4180 quoting, CRLF lines, empty for null/undefined/NaN', () => {
  expect(
    csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\r', 1.5, null, undefined, Number.NaN, true]),
  ).toBe('a,"b,c","say ""hi""","two\nlines","cr\r",1.5,,,,true\r\n');
  expect(csvField({ nested: [1, 'x,y'] })).toBe('"{""nested"":[1,""x,y""]}"');
  expect(csvField(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006Z');
  expect(csvField('café')).toBe('café');
});

test('timestamps: Python isoformat (6-digit micros, omitted at zero) and v2 whole seconds', () => {
  expect(pythonIsoformat(Date.UTC(2020, 7, 13, 15, 54, 16, 691))).toBe(
    '2020-08-13T15:54:16.691000',
  );
  expect(pythonIsoformat(Date.UTC(2020, 7, 13, 15, 54, 16, 0))).toBe('2020-08-13T15:54:16');
  expect(wholeSecondsUtc(Date.UTC(2024, 2, 5, 18, 16, 25, 999))).toBe('2024-03-05T18:16:25Z');
});

test('rows: objects (union of keys), one object, arrays with feature names, scalars', () => {
  expect(
    toRows(
      [
        { a: 1, b: 2 },
        { b: 3, c: 4 },
      ],
      undefined,
    ),
  ).toEqual({
    columns: ['a', 'b', 'c'],
    cells: [
      [1, 2, undefined],
      [undefined, 3, 4],
    ],
  });
  expect(toRows({ a: 1 }, undefined)).toEqual({ columns: ['a'], cells: [[1]] });
  expect(toRows([{ a: 1, b: 2 }], ['b'])).toEqual({ columns: ['b'], cells: [[2]] });
  expect(
    toRows(
      [
        [1, 2],
        [3, 4, 5],
      ],
      ['x', 'y'],
    ),
  ).toEqual({
    columns: ['x', 'y', '2'],
    cells: [
      [1, 2],
      [3, 4, 5],
    ],
  });
  expect(toRows([[1, 2]], undefined).columns).toEqual(['0', '1']);
  expect(toRows(['setosa', 'virginica'], undefined)).toEqual({
    columns: ['prediction'],
    cells: [['setosa'], ['virginica']],
  });
  expect(toRows(new Float64Array([0.5, 1.5]), ['score'])).toEqual({
    columns: ['score'],
    cells: [[0.5], [1.5]],
  });
  expect(toRows(7, undefined)).toEqual({ columns: ['prediction'], cells: [[7]] });
  expect(toRows([], ['a'])).toEqual({ columns: ['a'], cells: [] });
  expect(() => toRows(null, undefined)).toThrow(/collect\(\) got null/);
  expect(() => toRows([{ a: 1 }, 5], undefined)).toThrow(/row 1 is not an object/);
});
