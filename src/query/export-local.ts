import type { Stats } from 'node:fs';
import {
  link,
  lstat,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { MdqError } from '../errors.js';
import {
  assertReplaceable,
  type ExportMarker,
  FOLDER_MARKER,
  type FoundEntry,
  fileMarkerName,
  ownFiles,
  parseMarker,
  serializeMarker,
  targetExistsError,
} from './export-marker.js';

/** A local target as found: nothing there (or an empty folder), or an earlier export alone. */
export type LocalTarget = { kind: 'new' } | { kind: 'replace'; marker: ExportMarker };

/**
 * What is at `target` and whether an export may take its place: nothing (or an empty folder)
 * always; an earlier mdq export, with `overwrite`, when it holds nothing its marker does not
 * list; anything else never. Links are never followed. `out` is the path as the user wrote it.
 */
export async function inspectLocalTarget(
  target: string,
  out: string,
  isFolder: boolean,
  overwrite: boolean,
): Promise<LocalTarget> {
  const existing = await lstatOrUndefined(target);
  if (existing === undefined) {
    return { kind: 'new' };
  }
  if (existing.isSymbolicLink()) {
    throw new MdqError('export-target-link', `--out ${out} is a symbolic link`, {
      hint: 'give --out the real path, or choose another --out',
    });
  }
  if (isFolder && !existing.isDirectory()) {
    throw new MdqError('export-target-not-folder', `--out ${out} is a file`, {
      hint: '--partition-by writes a folder: choose a folder name for --out',
    });
  }
  if (!isFolder && existing.isDirectory()) {
    throw new MdqError('export-target-is-folder', `--out ${out} is a folder`, {
      hint: 'choose a file name, or --partition-by to write a partitioned folder',
    });
  }
  if (isFolder && (await readdir(target)).length === 0) {
    return { kind: 'new' }; // an empty folder: nothing to lose
  }
  if (!overwrite) {
    throw targetExistsError(`--out ${out}`);
  }
  const markerName = isFolder ? FOLDER_MARKER : fileMarkerName(basename(target));
  const marker = await readMarker(join(isFolder ? target : dirname(target), markerName));
  // Only a folder that says it holds an export is walked whole.
  const found =
    marker === undefined
      ? []
      : isFolder
        ? await findEntries(target)
        : [entryOf(basename(target), existing)];
  const where = `--out ${out}`;
  const markerPath = isFolder ? FOLDER_MARKER : '';
  return {
    kind: 'replace',
    marker: assertReplaceable(where, found, marker, markerName, markerPath),
  };
}

/**
 * Moves an exported file from its temporary into place with its marker beside it. A new
 * target is linked in (fails rather than replace a file that appeared meanwhile); an earlier
 * export is replaced by rename(), atomically.
 */
export async function placeFile(
  temporary: string,
  target: string,
  out: string,
  plan: LocalTarget,
): Promise<void> {
  const markerPath = join(dirname(target), fileMarkerName(basename(target)));
  const markerTemporary = `${temporary}.marker`;
  try {
    const marker = { files: [entryOf(basename(target), await stat(temporary))], pending: [] };
    await writeFile(markerTemporary, serializeMarker(marker));
    if (plan.kind === 'new') {
      await moveWithoutReplacing(temporary, target, out);
    } else {
      await rename(temporary, target);
    }
    await rename(markerTemporary, markerPath);
  } finally {
    await rm(markerTemporary, { force: true });
  }
}

/**
 * Moves an exported folder from its temporary into place, its marker inside. An earlier export
 * is swapped out (old aside, new in) and then removed file by file: only what its marker
 * lists. Returns the folder left aside when something else appeared in it meanwhile.
 */
export async function placeFolder(
  temporary: string,
  target: string,
  out: string,
  plan: LocalTarget,
): Promise<{ leftover?: string }> {
  const files = (await findEntries(temporary)).filter((entry) => entry.kind === 'file');
  await writeFile(join(temporary, FOLDER_MARKER), serializeMarker({ files, pending: [] }));
  if (plan.kind === 'new') {
    try {
      // rename() replaces an empty folder but never a folder with something in it.
      await rename(temporary, target);
    } catch (error) {
      if (hasCode(error, 'ENOTEMPTY', 'EEXIST', 'ENOTDIR')) {
        throw targetExistsError(`--out ${out}`);
      }
      throw error;
    }
    return {};
  }
  const aside = `${temporary}-old`;
  await rename(target, aside);
  try {
    await rename(temporary, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  return (await removeExport(aside, plan.marker)) ? {} : { leftover: aside };
}

/** Every entry under `folder` (recursively, links not followed), `/`-separated paths. */
async function findEntries(folder: string): Promise<FoundEntry[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const found: FoundEntry[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    found.push(entryOf(relative(folder, path).split(sep).join('/'), await lstat(path)));
  }
  return found;
}

/** Size and mtime stand for the content, as in the local blob store's etag. */
function entryOf(path: string, stats: Stats): FoundEntry {
  const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : 'other';
  return {
    path,
    kind,
    size: stats.size,
    etag: `${stats.size}-${Math.trunc(stats.mtimeMs * 1000)}`,
  };
}

/** Removes what the marker lists (and the marker); false when anything else is left. */
async function removeExport(folder: string, marker: ExportMarker): Promise<boolean> {
  const found = await findEntries(folder);
  for (const path of ownFiles(found, marker)) {
    await rm(join(folder, ...path.split('/')));
  }
  await rm(join(folder, FOLDER_MARKER), { force: true });
  const folders = found
    .filter((entry) => entry.kind === 'folder')
    .map((entry) => join(folder, ...entry.path.split('/')))
    .sort((a, b) => b.length - a.length);
  for (const path of [...folders, folder]) {
    // Not recursive: a folder that still holds anything stays, with it.
    const removed = await rmdir(path).then(
      () => true,
      () => false,
    );
    if (!removed && path === folder) {
      return false;
    }
  }
  return true;
}

async function readMarker(path: string): Promise<ExportMarker | undefined> {
  const info = await lstatOrUndefined(path);
  if (info === undefined || !info.isFile()) {
    return undefined;
  }
  return parseMarker(await readFile(path, 'utf8'));
}

/** rename() that fails when `to` exists: link() then unlink, where the file system has links. */
async function moveWithoutReplacing(from: string, to: string, out: string): Promise<void> {
  try {
    await link(from, to);
    await rm(from);
    return;
  } catch (error) {
    if (hasCode(error, 'EEXIST')) {
      throw targetExistsError(`--out ${out}`);
    }
    if (!hasCode(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS')) {
      throw error;
    }
  }
  if ((await lstatOrUndefined(to)) !== undefined) {
    throw targetExistsError(`--out ${out}`);
  }
  await rename(from, to);
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) {
      return undefined;
    }
    throw error;
  }
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && codes.includes(code);
}
