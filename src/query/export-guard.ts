import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** Paths an export must never replace, whatever `--overwrite` says. */
export interface ProtectedPaths {
  /** The DuckDB file being exported from: neither it nor a folder holding it is a target. */
  database?: string;
  /** The current folder: neither it nor a folder holding it is a target. */
  cwd?: string;
}

/**
 * Refuses a target that is the database (by any path: a link, `..`, a hard link) or a folder
 * that holds the database or the current folder. Checked on real paths, before anything is
 * written; the marker rule (export-marker.ts) then guards everything else.
 */
export async function assertNotProtected(
  target: string,
  out: string,
  isFolder: boolean,
  protect: ProtectedPaths,
): Promise<void> {
  const real = await realPathOf(target);
  if (protect.database !== undefined) {
    const database = await realPathOf(protect.database);
    if (!isFolder && (real === database || (await isSameFile(target, protect.database)))) {
      throw new UsageError(`--out ${out} is the database file itself`, {
        hint: 'choose another --out, e.g. scored.parquet',
      });
    }
    if (isFolder && isWithin(database, real)) {
      throw new UsageError(`--out ${out} holds the database ${protect.database}`, {
        hint: 'choose a new folder for --out, e.g. --out export/',
      });
    }
  }
  if (protect.cwd !== undefined && isFolder && isWithin(await realPathOf(protect.cwd), real)) {
    throw new UsageError(`--out ${out} is or holds the current folder`, {
      hint: 'choose a new folder for --out, e.g. --out export/',
    });
  }
}

/** `path` is `folder` or lies inside it. */
function isWithin(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The real path, also of a path that does not exist yet (its nearest existing ancestor's). */
async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realPathOf(parent), basename(path));
  }
}

async function isSameFile(a: string, b: string): Promise<boolean> {
  const [first, second] = await Promise.all([
    stat(a).catch(() => undefined),
    stat(b).catch(() => undefined),
  ]);
  return (
    first !== undefined &&
    second !== undefined &&
    first.dev === second.dev &&
    first.ino === second.ino
  );
}
