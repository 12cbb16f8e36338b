import { InterruptedError, StorageError, throwIfAborted } from '../errors.js';

export interface RetryOptions {
  /** Retries after the first try (default 4, so 5 tries in all). */
  retries?: number;
  /** Delay before the first retry; doubles each time (default 200 ms). */
  baseDelayMs?: number;
  /** Cap on one delay (default 10 s). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Which errors are worth another try (default: `StorageError.isTransient`). */
  isRetriable?: (error: unknown) => boolean;
  /** Told before each wait, e.g. to count retries or show a warning. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Source of randomness for the jitter, in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export function isTransientError(error: unknown): boolean {
  return error instanceof StorageError && error.isTransient;
}

/**
 * Runs `fn` until it succeeds, a non-retriable error occurs, or the retries are used up; waits
 * with exponential backoff and jitter in between, so replicas that failed together do not retry
 * in lockstep. The last error is rethrown unchanged. Aborting stops the wait at once.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const isRetriable = options.isRetriable ?? isTransientError;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetriable(error) || options.signal?.aborted) {
        throw error;
      }
      // "Equal jitter": half the exponential delay fixed, half random.
      const exponential = Math.min(max, base * 2 ** attempt);
      const delayMs = Math.round(exponential / 2 + random() * (exponential / 2));
      options.onRetry?.(error, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InterruptedError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
