import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * What a pull would create for its database, noted before it opens it, so that a pull that
 * fails before its first commit can take it away again: an empty file would make `mdq sql`
 * answer "no such table" instead of "run mdq pull first". Undefined when the file exists.
 */
export interface NewDatabase {
  file: string;
  /** The outermost folder the pull creates for the file (`--db new/dir/mdq.duckdb`), if any. */
  firstNewFolder?: string;
}

export function noteNewDatabase(dbPath: string): NewDatabase | undefined {
  const file = resolve(dbPath);
  if (existsSync(file)) {
    return undefined;
  }
  let firstNewFolder: string | undefined;
  for (let folder = dirname(file); !existsSync(folder); folder = dirname(folder)) {
    firstNewFolder = folder;
  }
  return { file, ...(firstNewFolder === undefined ? {} : { firstNewFolder }) };
}

/** Removes the file, its WAL and the folders made for it, as long as they are empty. */
export async function removeNewDatabase(created: NewDatabase): Promise<void> {
  await Promise.all([
    rm(created.file, { force: true }),
    rm(`${created.file}.wal`, { force: true }),
  ]);
  if (created.firstNewFolder === undefined) {
    return;
  }
  for (let folder = dirname(created.file); ; folder = dirname(folder)) {
    try {
      await rmdir(folder); // only ever an empty folder
    } catch {
      return;
    }
    if (folder === created.firstNewFolder) {
      return;
    }
  }
}
