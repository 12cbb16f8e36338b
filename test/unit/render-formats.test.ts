import { expect, test } from 'vitest';
import { escapeControl } from '../../cli/render/escape.js';
import { csvFormatter } from '../../cli/render/formats/csv.js';
import { jsonFormatter } from '../../cli/render/formats/json.js';
import { jsonValue } from '../../cli/render/formats/json-value.js';
import { ndjsonFormatter } from '../../cli/render/formats/ndjson.js';
import { resolveFormat } from '../../cli/render/output.js';
import { formatTable } from '../../cli/render/table.js';
import { MdqError } from '../../src/errors.js';
import type { ResultColumn } from '../../src/query/run.js';
import { isoTimestamp } from '../../src/query/run.js';
import { csvField } from '../../src/query/value-format.js';

const COLUMNS: ResultColumn[] = [
  { name: 'id', type: 'BIGINT', kind: 'exact-number' },
  { name: 'text', type: 'VARCHAR', kind: 'text' },
  { name: 'list', type: 'INTEGER[]', kind: 'nested' },
];

test('escapeControl makes ESC, newlines, C1 and bidi controls visible and doubles backslashes', () => {
  expect(escapeControl('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
  expect(escapeControl('l1\nl2\r\t')).toBe('l1\\nl2\\r\\t');
  expect(escapeControl('\u009b31m \u202eevil')).toBe('\\x9b31m \\u202eevil');
  expect(escapeControl('C:\\x1b')).toBe('C:\\\\x1b');
  expect(escapeControl('plain é 日本')).toBe('plain é 日本');
});

test('csv quotes only what RFC 4180 needs and keeps NULL apart from the empty string', () => {
  expect(csvField('plain')).toBe('plain');
  expect(csvField('a,b')).toBe('"a,b"');
  expect(csvField('say "hi"')).toBe('"say ""hi"""');
  expect(csvField('two\nlines')).toBe('"two\nlines"');
  const csv = csvFormatter();
  const text =
    csv.begin(COLUMNS) +
    csv.rows([
      ['9007199254740993', '', [1, 2]],
      ['1', null, null],
    ]) +
    csv.end();
  expect(text).toBe('id,text,list\n9007199254740993,"","[1,2]"\n1,,\n');
});

test('json writes exact numbers unquoted, NaN as a string, and one array', () => {
  expect(jsonValue('9007199254740993', COLUMNS[0] as ResultColumn)).toBe('9007199254740993');
  expect(jsonValue('NaN', { name: 'd', type: 'DOUBLE', kind: 'number' })).toBe('"NaN"');
  const json = jsonFormatter();
  expect(json.begin(COLUMNS) + json.end()).toBe('[\n\t\n]\n');
  const again = jsonFormatter();
  const text =
    again.begin(COLUMNS) +
    again.rows([
      ['1', 'a"b', [1]],
      ['2', null, null],
    ]) +
    again.end();
  expect(text).toBe(
    '[\n\t{"id":1,"text":"a\\"b","list":[1]},\n\t{"id":2,"text":null,"list":null}\n]\n',
  );
  const ndjson = ndjsonFormatter();
  expect(ndjson.begin(COLUMNS) + ndjson.rows([['3', 'x', []]])).toBe(
    '{"id":3,"text":"x","list":[]}\n',
  );
});

test('the table escapes cells and headers, shows NULL, and has no colour unless asked', () => {
  const text = formatTable(
    [{ name: 'h\u001b[31m', type: 'VARCHAR', kind: 'text' }],
    [['x\u001b]0;title\u0007y'], [null]],
  );
  expect(text).not.toContain('\u001b');
  expect(text).toContain('x\\x1b]0;title\\x07y');
  expect(text).toContain('h\\x1b[31m');
  expect(text).toContain('NULL');
});

test('format: table on a terminal, ndjson in a pipe, --format wins, unknown is a usage error', () => {
  expect(resolveFormat(undefined, true)).toBe('table');
  expect(resolveFormat(undefined, false)).toBe('ndjson');
  expect(resolveFormat('csv', true)).toBe('csv');
  expect(() => resolveFormat('xml', true)).toThrow(MdqError);
});

test('timestamps become ISO-8601: T separator, Z for UTC, naive stays naive', () => {
  expect(isoTimestamp('2024-01-02 03:04:05.123456')).toBe('2024-01-02T03:04:05.123456');
  expect(isoTimestamp('2024-01-02 03:04:05+00')).toBe('2024-01-02T03:04:05Z');
  expect(isoTimestamp('2024-01-02 03:04:05-05:30')).toBe('2024-01-02T03:04:05-05:30');
  expect(isoTimestamp('infinity')).toBe('infinity');
});
