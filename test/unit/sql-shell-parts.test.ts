import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { changeDisplay, parseDotCommand } from '../../cli/render/shell-commands.js';
import { complete } from '../../cli/render/shell-completion.js';
import {
  appendHistory,
  decodeEntry,
  encodeEntry,
  historyFilePath,
  loadHistory,
} from '../../cli/render/shell-history.js';
import { ShellInput } from '../../cli/render/shell-input.js';
import { scriptItems } from '../../cli/render/shell-script.js';
import { splitStatements, toOneLine } from '../../cli/render/shell-statements.js';
import { makeTmpDir } from '../helpers/tmp.js';

test('statements end at a ; outside strings, identifiers, comments and dollar quotes', () => {
  expect(splitStatements("select 1; select 'a;b';")).toMatchObject({
    statements: ['select 1', "select 'a;b'"],
    starts: [0, 10],
    rest: '',
  });
  expect(splitStatements('select "x;y" from t -- c;\n;')).toMatchObject({
    statements: ['select "x;y" from t -- c;'],
    rest: '',
  });
  expect(splitStatements("select /* ; */ $$;$$, 'it''s;'; select 2")).toMatchObject({
    statements: ["select /* ; */ $$;$$, 'it''s;'"],
    rest: 'select 2',
  });
  expect(splitStatements("select 'open;")).toMatchObject({
    statements: [],
    rest: "select 'open;",
  });
});

test('scripts mix dot-commands on their own lines with multi-line statements', () => {
  expect(scriptItems('.tables\nselect 1\n  , 2;\n.schema t\nselect 3')).toEqual([
    { text: '.tables', line: 1 },
    { text: 'select 1\n  , 2', line: 2 },
    { text: '.schema t', line: 4 },
    { text: 'select 3', line: 5 },
  ]);
  // Blank lines, several statements on a line, and comments keep the line count true.
  expect(scriptItems('\n\nselect 1;  select\n\n 2; -- c\n\n  select 3')).toEqual([
    { text: 'select 1', line: 3 },
    { text: 'select\n\n 2', line: 3 },
    { text: '-- c\n\n  select 3', line: 5 },
  ]);
});

test('dot-commands map to SQL with quoted names, help text or quit', () => {
  expect(parseDotCommand('.schema my"table')).toEqual({
    kind: 'query',
    sql: 'describe "my""table"',
    describes: true,
  });
  expect(parseDotCommand('.tables').kind).toBe('query');
  expect(parseDotCommand('.help').kind).toBe('text');
  expect(parseDotCommand('.quit')).toEqual({ kind: 'quit' });
  expect(parseDotCommand('.nope')).toEqual({
    kind: 'text',
    text: 'unknown command .nope; .help lists them',
  });
});

test('history keeps multi-line entries whole across a save and a load, file private', async () => {
  const tmp = await makeTmpDir();
  try {
    const path = historyFilePath({ MDQ_HISTORY_FILE: 'h' }, tmp.path);
    expect(path).toBe(join(tmp.path, 'h'));
    expect(decodeEntry(encodeEntry('a\\nb\nc'))).toBe('a\\nb\nc');
    await appendHistory(path, 'select 1\nfrom t;');
    await appendHistory(path, '.tables');
    expect(await loadHistory(path)).toEqual(['select 1\nfrom t;', '.tables']);
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadHistory(join(tmp.path, 'missing'))).toEqual([]);
  } finally {
    await tmp.cleanup();
  }
});

test('display commands: .mode line and \\x expand rows, .mode table or a format go back', () => {
  const table = { format: 'table', expanded: false } as const;
  const line = parseDotCommand('.mode line');
  expect(line).toEqual({ kind: 'display', expanded: true });
  if (line.kind !== 'display') {
    throw new Error('not a display command');
  }
  expect(changeDisplay(table, line)).toEqual({
    display: { format: 'table', expanded: true },
    text: 'Expanded display is on.',
  });
  const toggle = parseDotCommand('\\x');
  if (toggle.kind !== 'display') {
    throw new Error('not a display command');
  }
  expect(changeDisplay({ format: 'table', expanded: true }, toggle).display.expanded).toBe(false);
  expect(parseDotCommand('.mode csv')).toEqual({ kind: 'display', format: 'csv' });
  expect(parseDotCommand('.mode box')).toEqual({ kind: 'display', format: 'table' });
  expect(parseDotCommand('\\x maybe').kind).toBe('text');
  expect(parseDotCommand('\\q')).toEqual({ kind: 'quit' });
  expect(parseDotCommand('\\d scored')).toMatchObject({
    sql: 'describe "scored"',
    describes: true,
  });
});

test('tab completion: commands, relations after .schema, columns, table.column, quoted names', () => {
  const catalog = {
    relations: ['inputs', 'scored'],
    columns: new Map([
      ['scored', ['_service', 'petal_length', 'petal_width', 'sepal length']],
      ['inputs', ['petal_length']],
    ]),
  };
  expect(complete('.sc', catalog)).toEqual([['.schema'], '.sc']);
  expect(complete('.schema sc', catalog)).toEqual([['scored'], 'sc']);
  expect(complete('select _ser', catalog)).toEqual([['_service'], '_ser']);
  expect(complete('select pet', catalog)).toEqual([['petal_length', 'petal_width'], 'pet']);
  expect(complete('select scored.pe', catalog)).toEqual([
    ['scored.petal_length', 'scored.petal_width'],
    'scored.pe',
  ]);
  expect(complete('select sep', catalog)).toEqual([['"sepal length"'], 'sep']);
  expect(complete('select "pet', catalog)).toEqual([['"petal_length"', '"petal_width"'], '"pet']);
  expect(complete('SELECT * FR', catalog)).toEqual([['FROM'], 'FR']);
  expect(complete('select 1 ', catalog)).toEqual([[], '']);
});

test('a multi-line statement is recalled as one line that means the same', () => {
  expect(toOneLine("select 1 -- one\n  , '\n' as nl /* a\nb */ from t;")).toBe(
    "select 1 /* one */   , '\n' as nl /* a b */ from t;",
  );
  expect(toOneLine('select 1 -- a */ b\nfrom t')).toBe('select 1 /* a * / b */ from t');
});

test('shell input: lines go to readline one at a time; during a hold keys wait and Ctrl-C interrupts', () => {
  const terminal = new PassThrough();
  const input = new ShellInput(terminal);
  const seen: string[] = [];
  let interrupts = 0;
  input.on('data', (chunk: Buffer) => {
    seen.push(chunk.toString());
    if (chunk.toString() === 'select 1;\r') {
      input.hold(() => {
        interrupts += 1;
      });
    }
  });
  terminal.write('select 1;\rselect 2;\r\u0003x');
  return new Promise<void>((done) => {
    setImmediate(() => {
      expect(seen).toEqual(['select 1;\r']);
      expect(interrupts).toBe(1);
      input.release();
      expect(seen).toEqual(['select 1;\r', 'select 2;\r', 'x']);
      input.detach();
      done();
    });
  });
});
