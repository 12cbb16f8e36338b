import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parseDotCommand } from '../../cli/render/shell-commands.js';
import {
  appendHistory,
  decodeEntry,
  encodeEntry,
  historyFilePath,
  loadHistory,
} from '../../cli/render/shell-history.js';
import { scriptItems } from '../../cli/render/shell-script.js';
import { splitStatements } from '../../cli/render/shell-statements.js';
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
