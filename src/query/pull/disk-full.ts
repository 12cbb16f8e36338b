import { dirname } from 'node:path';
import { QueryError } from '../../errors.js';
import { redactSecrets } from '../../secrets.js';

const NO_SPACE = /No space left on device|ENOSPC/i;

/** The disk filled up: Node's ENOSPC while staging, or DuckDB's IO Error while loading. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 'ENOSPC') {
      return true;
    }
    if (NO_SPACE.test(e instanceof Error ? e.message : String(e))) {
      return true;
    }
    if (!(e instanceof Error)) {
      break;
    }
  }
  return false;
}

/**
 * A full disk says nothing about mdq or the blobs: a clear error naming the folder, and how to
 * go on (the batches committed so far stay; the next pull resumes), never "internal error".
 */
export function diskFullError(error: unknown, dbPath: string): QueryError {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = redactSecrets(message.split('\n')[0] ?? '');
  return new QueryError(`the disk of ${dirname(dbPath)} is full: ${firstLine}`, {
    cause: error,
    hint: 'free space there (a pull stages up to ~1 GiB beside the database while it loads), then run the same pull again: it resumes',
  });
}
