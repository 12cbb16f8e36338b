import { expect, test } from 'vitest';
import { InterruptedError, MdqError, StorageError } from '../../src/errors.js';
import { isTransientError, withRetry } from '../../src/store/retry.js';

const transient = () => new StorageError('storage-unreachable', 'down', { isTransient: true });
const permanent = () => new StorageError('access-denied', 'no');

test('retries transient failures until one succeeds', async () => {
  let calls = 0;
  const result = await withRetry(
    async (attempt) => {
      calls++;
      if (attempt < 2) {
        throw transient();
      }
      return 'ok';
    },
    { baseDelayMs: 1 },
  );
  expect(result).toBe('ok');
  expect(calls).toBe(3);
});

test('a permanent error is thrown at once', async () => {
  let calls = 0;
  const error = permanent();
  await expect(
    withRetry(
      async () => {
        calls++;
        throw error;
      },
      { baseDelayMs: 1 },
    ),
  ).rejects.toBe(error);
  expect(calls).toBe(1);
});

test('gives up after the retries and rethrows the last error unchanged', async () => {
  const errors: StorageError[] = [];
  const outcome = withRetry(
    async () => {
      const error = transient();
      errors.push(error);
      throw error;
    },
    { retries: 3, baseDelayMs: 1 },
  );
  await expect(outcome).rejects.toBeInstanceOf(StorageError);
  expect(errors).toHaveLength(4);
  await outcome.catch((error: unknown) => expect(error).toBe(errors[3]));
});

test('backs off exponentially with jitter, capped', async () => {
  const delays: number[] = [];
  const run = (random: () => number) =>
    withRetry(
      async () => {
        throw transient();
      },
      {
        retries: 4,
        baseDelayMs: 2,
        maxDelayMs: 12,
        random,
        onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
      },
    ).catch(() => undefined);
  await run(() => 0);
  // half of 2, 4, 8, 12 (capped), 12
  expect(delays).toEqual([1, 2, 4, 6]);
  delays.length = 0;
  await run(() => 0.999_999);
  expect(delays).toEqual([2, 4, 8, 12]);
});

test('an abort during the wait stops with InterruptedError', async () => {
  const controller = new AbortController();
  let calls = 0;
  const outcome = withRetry(
    async () => {
      calls++;
      throw transient();
    },
    {
      baseDelayMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(),
    },
  );
  await expect(outcome).rejects.toBeInstanceOf(InterruptedError);
  expect(calls).toBe(1);
});

test('isRetriable decides; the default is StorageError.isTransient', async () => {
  expect(isTransientError(transient())).toBe(true);
  expect(isTransientError(permanent())).toBe(false);
  expect(isTransientError(new Error('x'))).toBe(false);
  let calls = 0;
  await withRetry(
    async () => {
      calls++;
      if (calls === 1) {
        throw new MdqError('busy', 'try again');
      }
    },
    { baseDelayMs: 1, isRetriable: (error) => error instanceof MdqError && error.code === 'busy' },
  );
  expect(calls).toBe(2);
});
