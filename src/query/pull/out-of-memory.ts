import { QueryError, someCause } from '../../errors.js';
import { firstLineOf } from '../../secrets.js';

const OUT_OF_MEMORY = /Out of Memory Error/i;

/** DuckDB ran out of its memory budget (directly, or as the cause of an mdq error). */
export function isOutOfMemory(error: unknown): boolean {
  return someCause(error, (e) => OUT_OF_MEMORY.test(e instanceof Error ? e.message : String(e)));
}

/**
 * DuckDB ran out of its memory budget. That says nothing about the blob being loaded, so it
 * must fail the load (the pull may retry it with more memory, see memory-budget.ts; batches
 * committed so far stay) instead of quarantining good blobs.
 */
export function throwIfOutOfMemory(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (OUT_OF_MEMORY.test(message)) {
    throw new QueryError(`the load ran out of memory: ${firstLineOf(error)}`, {
      cause: error,
      hint: 'free memory (or disk space for DuckDB to spill into), then run the same pull again: it resumes',
    });
  }
}
