import { MdqError } from '../errors.js';

/**
 * The note an export leaves beside what it wrote, so that `--overwrite` can tell its own files
 * from a user's: a folder (or blob prefix) export keeps it inside, beside the `key=value/`
 * folders; a single file keeps a hidden sidecar. Spark, Synapse and DuckDB's globs skip names
 * starting with `_` or `.`, so readers never see it as data.
 */
export const FOLDER_MARKER = '_mdq_export.json';

/** The sidecar of a single-file export: `scored.parquet` → `.scored.parquet.mdq-export.json`. */
export function fileMarkerName(fileName: string): string {
  return `.${fileName}.mdq-export.json`;
}

/** One file an export wrote, as it was right after: a file that changed since is not ours. */
export interface MarkedFile {
  /** `/`-separated, relative to the marker's folder. */
  path: string;
  size: number;
  /** Blob ETag; local files: size and mtime, as the local store's etag. */
  etag: string;
}

export interface ExportMarker {
  files: MarkedFile[];
  /**
   * Names an export in progress is uploading (blob storage has no atomic folder swap): an
   * upload cut short leaves blobs that are still known to be mdq's, and the next overwrite
   * removes them.
   */
  pending: string[];
}

const TOOL = 'mdq export';

export function serializeMarker(marker: ExportMarker): string {
  return `${JSON.stringify({ tool: TOOL, version: 1, ...marker }, null, 2)}\n`;
}

/**
 * Reads a marker found on disk or in storage: untrusted text. Anything that is not exactly a
 * marker (other JSON, a path leaving the folder) counts as no marker, so nothing is replaced.
 */
export function parseMarker(text: string): ExportMarker | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { tool, version, files, pending } = value as Record<string, unknown>;
  if (tool !== TOOL || version !== 1 || !Array.isArray(files)) {
    return undefined;
  }
  const marked: MarkedFile[] = [];
  for (const file of files) {
    const { path, size, etag } = (file ?? {}) as Record<string, unknown>;
    if (!isRelativePath(path) || typeof size !== 'number' || typeof etag !== 'string') {
      return undefined;
    }
    marked.push({ path, size, etag });
  }
  const pendingNames = Array.isArray(pending) ? pending : [];
  if (!pendingNames.every(isRelativePath)) {
    return undefined;
  }
  return { files: marked, pending: pendingNames };
}

/** What a target holds: every file, folder or other entry under it (links are never followed). */
export interface FoundEntry {
  path: string;
  kind: 'file' | 'folder' | 'other';
  size: number;
  etag: string;
}

/**
 * The first entry of a target that its marker does not vouch for: a file it does not list, one
 * that changed since (size or etag), a folder holding no listed file, a link or device.
 * `undefined`: the target holds an earlier export and nothing else, so it may be replaced.
 */
export function firstForeignEntry(
  found: readonly FoundEntry[],
  marker: ExportMarker,
  markerPath: string,
): { path: string; changed: boolean } | undefined {
  const listed = new Map(marker.files.map((file) => [file.path, file]));
  const pending = new Set(marker.pending);
  const folders = new Set<string>();
  for (const path of [...listed.keys(), ...pending]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      folders.add(parts.slice(0, i).join('/'));
    }
  }
  for (const entry of found) {
    if (entry.path === markerPath && entry.kind === 'file') {
      continue;
    }
    if (entry.kind === 'folder' && folders.has(entry.path)) {
      continue;
    }
    if (entry.kind === 'file' && pending.has(entry.path)) {
      continue;
    }
    const file = listed.get(entry.path);
    if (entry.kind !== 'file' || file === undefined) {
      return { path: entry.path, changed: false };
    }
    if (file.size !== entry.size || file.etag !== entry.etag) {
      return { path: entry.path, changed: true };
    }
  }
  return undefined;
}

/**
 * What `--overwrite` requires of a target that holds something: a marker, vouching for all of
 * it. Returns the marker; throws the error that names what stops the overwrite.
 */
export function assertReplaceable(
  where: string,
  found: readonly FoundEntry[],
  marker: ExportMarker | undefined,
  markerName: string,
  markerPath: string,
): ExportMarker {
  if (marker === undefined) {
    throw notOursError(where, markerName);
  }
  const foreign = firstForeignEntry(found, marker, markerPath);
  if (foreign !== undefined) {
    throw foreignEntryError(where, foreign);
  }
  return marker;
}

/** The files of `found` that the marker vouches for: what an overwrite may remove. */
export function ownFiles(found: readonly FoundEntry[], marker: ExportMarker): string[] {
  return found
    .filter(
      (entry) => entry.kind === 'file' && firstForeignEntry([entry], marker, '') === undefined,
    )
    .map((entry) => entry.path);
}

/** Why an existing target is left alone; `where` is how the user named it (path or blob). */
export function targetExistsError(where: string): MdqError {
  return new MdqError('export-target-exists', `${where} already exists`, {
    hint: 'pass --overwrite to replace an earlier mdq export there, or choose another --out',
  });
}

function notOursError(where: string, markerName: string): MdqError {
  return new MdqError(
    'export-target-not-ours',
    `${where} was not written by mdq export (no ${markerName}), so --overwrite leaves it alone`,
    { hint: 'remove it yourself if it may go, or choose another --out' },
  );
}

function foreignEntryError(where: string, foreign: { path: string; changed: boolean }): MdqError {
  const what = foreign.changed
    ? `${foreign.path}, which changed since mdq exported it`
    : `${foreign.path}, which mdq export did not write`;
  return new MdqError(
    'export-target-not-ours',
    `${where} holds ${what}; --overwrite replaces only an earlier export and nothing else`,
    { hint: `move ${foreign.path} elsewhere, or choose another --out` },
  );
}

function isRelativePath(path: unknown): path is string {
  if (typeof path !== 'string' || path === '' || path.includes('\\') || path.includes('\0')) {
    return false;
  }
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
