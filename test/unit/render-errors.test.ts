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
