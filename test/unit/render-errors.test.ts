import { expect, test } from 'vitest';
import { formatError } from '../../cli/render/errors.js';
import { MdqError } from '../../src/errors.js';

test('a user error is one line and a hint, with no stack and no terminal control', () => {
  const text = formatError(
    new MdqError('x', 'blob a/\u001b[2Jb.csv\nis broken', { hint: 'look at\u009b it' }),
  );
  expect(text).toBe('mdq: blob a/\\x1b[2Jb.csv is broken\nhint: look at\\x9b it\n');
});

test('secrets are masked even in an internal error stack', () => {
  const text = formatError(new Error('failed with AccountKey=abc123+/==;BlobEndpoint=x'));
  expect(text).toContain('mdq: internal error:');
  expect(text).not.toContain('abc123');
});

test('detail lines keep their own line and indentation (a caret stays put), escaped', () => {
  const text = formatError(
    new MdqError('query', 'Parser Error: x', {
      detail: ['LINE 1: selec \u001b[2J', '        ^'],
      hint: 'h',
    }),
  );
  expect(text).toBe('mdq: Parser Error: x\n  LINE 1: selec \\x1b[2J\n          ^\nhint: h\n');
});
