import { throwIfAborted } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';

/** One sub-folder found by a hierarchical listing. */
export interface Folder {
  /** The folder's own name, without slashes. */
  name: string;
  /** Its full prefix, ending in '/'. */
  prefix: string;
}

/**
 * The sub-folders directly under `prefix` (one list call, by hierarchy). Dot-folders (spools,
 * temp files) are never part of an archive and are skipped.
 */
export async function listFolders(
  store: BlobStore,
  prefix: string,
  signal?: AbortSignal,
): Promise<Folder[]> {
  throwIfAborted(signal);
  const folders: Folder[] = [];
  for await (const entry of store.list(prefix, { delimiter: '/', ...(signal ? { signal } : {}) })) {
    if (entry.kind !== 'prefix') {
      continue;
    }
    const name = entry.name.slice(prefix.length).replace(/\/$/, '');
    if (name !== '' && !name.includes('/') && !name.startsWith('.')) {
      folders.push({ name, prefix: entry.name });
    }
  }
  throwIfAborted(signal);
  return folders;
}

/** Runs at most `limit` calls of the returned wrapper at once (the others queue). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    queue.shift()?.();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        active++;
        task().then(resolve, reject).finally(release);
      };
      if (active < limit) {
        run();
      } else {
        queue.push(run);
      }
    });
}

/**
 * Maps items with up to `concurrency` calls in flight and yields the results in input order, so a
 * consumer sees a sorted sequence while the slow round trips overlap.
 */
export async function* orderedMap<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const pending: Promise<R>[] = [];
  let next = 0;
  const startNext = () => {
    const promise = fn(items[next++] as T);
    // Observed here so an early exit by the consumer leaves no unhandled rejection behind.
    promise.catch(() => undefined);
    pending.push(promise);
  };
  while (next < items.length && pending.length < concurrency) {
    startNext();
  }
  while (pending.length > 0) {
    const result = await (pending.shift() as Promise<R>);
    if (next < items.length) {
      startNext();
    }
    yield result;
  }
}
