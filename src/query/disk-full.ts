import { dirname } from 'node:path';
import { QueryError, someCause } from '../errors.js';
import { firstLineOf } from '../secrets.js';

const NO_SPACE = /No space left on device|ENOSPC/i;

/** The disk filled up: Node's ENOSPC (pull's staging) or DuckDB's IO Error (loads, exports). */
export function isDiskFull(error: unknown): boolean {
  return someCause(
    error,
    (e) =>
      (e as { code?: unknown }).code === 'ENOSPC' ||
      NO_SPACE.test(e instanceof Error ? e.message : String(e)),
  );
}

/**
 * A full disk says nothing about mdq, the blobs or the query: a clear error naming the folder
 * of `path` and how to go on, never "internal error" or advice about column names.
 */
export function diskFullError(error: unknown, path: string, hint: string): QueryError {
  return new QueryError(`the disk of ${dirname(path)} is full: ${firstLineOf(error)}`, {
    cause: error,
    hint,
  });
}
