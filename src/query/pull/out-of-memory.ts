import { QueryError } from '../../errors.js';
import { redactSecrets } from '../../secrets.js';

/**
 * DuckDB ran out of its memory budget. That says nothing about the blob being loaded, so it
 * must fail the pull (the batches committed so far stay) instead of quarantining good blobs.
 */
export function throwIfOutOfMemory(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (/Out of Memory Error/i.test(message)) {
    const firstLine = redactSecrets(message.split('\n')[0] ?? '');
    throw new QueryError(`the load ran out of memory: ${firstLine}`, {
      cause: error,
      hint: 'free memory (or disk space for DuckDB to spill into), then run the same pull again: it resumes',
    });
  }
}
