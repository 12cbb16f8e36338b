import { expect, test } from 'vitest';
import { QueryError } from '../../src/errors.js';
import { diskFullError, isDiskFull } from '../../src/query/disk-full.js';

// The two shapes a full disk takes (seen pulling into a 60 MB and a 300 MB tmpfs, and
// exporting into a 20 MB one).
const nodeEnospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
  code: 'ENOSPC',
  errno: -28,
  syscall: 'write',
});
const duckdbIo = new Error(
  'IO Error: Could not write file "/data/mdq.duckdb.tmp/duckdb_temp_storage_DEFAULT-0.tmp": No space left on device',
);

test('a full disk is recognised from Node (staging) and from DuckDB (loading), also as a cause', () => {
  expect(isDiskFull(nodeEnospc)).toBe(true);
  expect(isDiskFull(duckdbIo)).toBe(true);
  expect(isDiskFull(new Error('wrapped', { cause: duckdbIo }))).toBe(true);
  expect(isDiskFull(new Error('Out of Memory Error: could not allocate block'))).toBe(false);
  expect(
    isDiskFull(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
  ).toBe(false);
});

test('it becomes one query error naming the folder, with how to go on', () => {
  const error = diskFullError(
    duckdbIo,
    '/data/mdq.duckdb',
    'free space there, then run the same pull again',
  );
  expect(error).toBeInstanceOf(QueryError);
  expect(error.message).toBe(`the disk of /data is full: ${duckdbIo.message}`);
  expect(error.hint).toContain('run the same pull again');
  expect(error.cause).toBe(duckdbIo);
});
