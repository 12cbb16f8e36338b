import { posix } from 'node:path';
import { V2_ROOT } from '../../layout/types.js';
import type { BlobStore } from '../../store/blob-store.js';

/**
 * The blob a v2 `dataref` points to, in the same source. The reference form is not documented
 * (formats.md §3): a full blob URL, an `azureml://…/paths/…` URI, or a path. Whatever it is,
 * the part from `modelDataCollector/` on is the blob name; otherwise a relative reference is
 * taken relative to the event's own folder. Never a path outside the container.
 */
export function datarefBlobName(reference: string, eventBlob: string): string {
  let text = reference.trim();
  try {
    text = decodeURIComponent(text);
  } catch {
    // keep it as written
  }
  const rooted = text.indexOf(`${V2_ROOT}/`);
  if (rooted >= 0) {
    return stripQuery(text.slice(rooted));
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // https://account/container/name: drop the container segment.
    const path = new URL(text).pathname.replace(/^\/+/, '');
    return path.split('/').slice(1).join('/');
  }
  const joined = posix.normalize(posix.join(posix.dirname(eventBlob), stripQuery(text)));
  if (joined.startsWith('..') || joined.startsWith('/')) {
    throw new Error(`reference ${stripQuery(text)} leaves the container`);
  }
  return joined;
}

function stripQuery(text: string): string {
  const q = text.indexOf('?');
  return q >= 0 ? text.slice(0, q) : text;
}

/** Reads and parses one dataref payload (a JSON array of rows, Microsoft's tests show). */
export function datarefReader(store: BlobStore, eventBlob: string, signal?: AbortSignal) {
  return async (reference: string): Promise<unknown> => {
    const name = datarefBlobName(reference, eventBlob);
    const bytes = await store.readBuffer(name, signal ? { signal } : {});
    return JSON.parse(bytes.toString('utf8'));
  };
}
