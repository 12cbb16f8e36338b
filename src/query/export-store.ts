import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { StorageError, throwIfAborted } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import {
  assertReplaceable,
  type ExportMarker,
  FOLDER_MARKER,
  type FoundEntry,
  fileMarkerName,
  type MarkedFile,
  ownFiles,
  parseMarker,
  serializeMarker,
  targetExistsError,
} from './export-marker.js';

/** An export's place in a store: one blob, or a prefix ('' for the store's root). */
export interface StoreTarget {
  name: string;
  isFolder: boolean;
  /** How the user named it, for messages. */
  where: string;
}

/** What the target holds now, and its marker when it holds an earlier export. */
export interface InspectedStoreTarget {
  found: FoundEntry[];
  marker?: ExportMarker;
}

/**
 * The store half of the marker rule (export-marker.ts): an empty target is written; one that
 * holds blobs only with `overwrite`, and only when its marker lists every blob there.
 */
export async function inspectStoreTarget(
  store: BlobStore,
  target: StoreTarget,
  overwrite: boolean,
): Promise<InspectedStoreTarget> {
  const first = await findBlobs(store, target, 1);
  if (first.length === 0) {
    return { found: first };
  }
  if (!overwrite) {
    throw targetExistsError(target.where);
  }
  const markerBlob = markerBlobOf(target);
  const marker = await readMarker(store, markerBlob);
  // Only a prefix that says it holds an export is listed whole.
  const found =
    marker !== undefined && target.isFolder
      ? await findBlobs(store, target, Number.POSITIVE_INFINITY)
      : first;
  const markerPath = target.isFolder ? FOLDER_MARKER : '';
  return {
    found,
    marker: assertReplaceable(target.where, found, marker, baseName(markerBlob), markerPath),
  };
}

/**
 * Up to `limit` blobs at the target (one is enough to refuse: never list a whole container for
 * nothing); none when its container does not exist yet (put creates it).
 */
async function findBlobs(
  store: BlobStore,
  target: StoreTarget,
  limit: number,
): Promise<FoundEntry[]> {
  const found: FoundEntry[] = [];
  try {
    if (!target.isFolder) {
      const info = await store.stat(target.name);
      return info === undefined ? [] : [{ ...info, path: baseName(target.name), kind: 'file' }];
    }
    const prefix = folderPrefix(target.name);
    for await (const entry of store.list(prefix)) {
      if (entry.kind === 'blob') {
        found.push({ ...entry, path: entry.name.slice(prefix.length), kind: 'file' });
        if (found.length >= limit) {
          break;
        }
      }
    }
    return found;
  } catch (error) {
    if (error instanceof StorageError && error.code === 'container-not-found') {
      return [];
    }
    throw error;
  }
}

export interface UploadOptions {
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (event: { uploaded: number; total: number }) => void;
}

/**
 * Uploads an export staged in `root` (`files` relative to it) to the target. Blob storage has
 * no atomic folder swap, so a folder goes in steps that never leave a blob nobody owns:
 * the marker first names the new blobs as pending, they upload under names of their own
 * (the earlier export stays whole until they are all in), the marker then lists them, and
 * the earlier export's blobs go last. Returns the blob names written.
 */
export async function uploadExport(
  store: BlobStore,
  target: StoreTarget,
  inspected: InspectedStoreTarget,
  staged: { root: string; files: string[] },
  options: UploadOptions,
): Promise<string[]> {
  const markerBlob = markerBlobOf(target);
  if (!target.isFolder) {
    const [file = ''] = staged.files;
    await uploadAll(store, [{ file: join(staged.root, file), blob: target.name }], options);
    const info = await store.stat(target.name);
    const files = info ? [{ path: baseName(target.name), size: info.size, etag: info.etag }] : [];
    await store.put(markerBlob, Buffer.from(serializeMarker({ files, pending: [] })));
    return [target.name];
  }
  const prefix = folderPrefix(target.name);
  const id = randomBytes(4).toString('hex');
  const uploads = staged.files.map((file) => ({
    file: join(staged.root, ...file.split('/')),
    path: withExportId(file, id),
  }));
  const earlier = inspected.marker;
  await store.put(
    markerBlob,
    Buffer.from(
      serializeMarker({
        files: earlier?.files ?? [],
        pending: [...(earlier?.pending ?? []), ...uploads.map((upload) => upload.path)],
      }),
    ),
  );
  const blobs = uploads.map((upload) => ({ file: upload.file, blob: prefix + upload.path }));
  try {
    await uploadAll(store, blobs, options);
  } catch (error) {
    // Best effort; what stays is listed as pending, so the next --overwrite removes it.
    await Promise.allSettled(blobs.map(({ blob }) => store.delete(blob)));
    throw error;
  }
  const written = new Set(uploads.map((upload) => upload.path));
  const files: MarkedFile[] = [];
  for await (const entry of store.list(prefix)) {
    const path = entry.name.slice(prefix.length);
    if (entry.kind === 'blob' && written.has(path)) {
      files.push({ path, size: entry.size, etag: entry.etag });
    }
  }
  if (files.length !== written.size) {
    throw new StorageError(
      'export-upload-missing',
      `${target.where}: ${written.size - files.length} of the uploaded blobs are not listed back`,
      { hint: 'run the same export again with --overwrite' },
    );
  }
  await store.put(markerBlob, Buffer.from(serializeMarker({ files, pending: [] })));
  if (earlier !== undefined) {
    const old = ownFiles(inspected.found, earlier).filter((path) => !written.has(path));
    await Promise.all(old.map((path) => store.delete(prefix + path)));
  }
  return blobs.map(({ blob }) => blob);
}

async function uploadAll(
  store: BlobStore,
  uploads: ReadonlyArray<{ file: string; blob: string }>,
  options: UploadOptions,
): Promise<void> {
  const limit = pLimit(Math.max(1, options.concurrency));
  let uploaded = 0;
  await Promise.all(
    uploads.map(({ file, blob }) =>
      limit(async () => {
        throwIfAborted(options.signal);
        await store.put(
          blob,
          createReadStream(file),
          options.signal ? { signal: options.signal } : {},
        );
        uploaded += 1;
        options.onProgress?.({ uploaded, total: uploads.length });
      }),
    ),
  );
}

/** `_date=2024-01-01/data_0.parquet` → `_date=2024-01-01/data_0_<id>.parquet`. */
function withExportId(path: string, id: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/')
    ? `${path.slice(0, dot)}_${id}${path.slice(dot)}`
    : `${path}_${id}`;
}

function folderPrefix(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function markerBlobOf(target: StoreTarget): string {
  if (target.isFolder) {
    return folderPrefix(target.name) + FOLDER_MARKER;
  }
  const slash = target.name.lastIndexOf('/');
  return target.name.slice(0, slash + 1) + fileMarkerName(target.name.slice(slash + 1));
}

async function readMarker(store: BlobStore, blob: string): Promise<ExportMarker | undefined> {
  try {
    return parseMarker((await store.readBuffer(blob)).toString('utf8'));
  } catch (error) {
    if (error instanceof StorageError && error.code === 'blob-not-found') {
      return undefined;
    }
    throw error;
  }
}
