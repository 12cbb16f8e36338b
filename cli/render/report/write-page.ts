import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../../src/errors.js';

/** Marks a page as mdq's own, so a later report may replace it and nothing else. */
export const GENERATOR_MARK = '<meta name="generator" content="mdq report">';

/**
 * Writes the page to `path` whole or not at all (a temporary file beside it, then a rename).
 * An existing file is replaced only when an earlier mdq report wrote it: a user's own file is
 * never overwritten.
 */
export async function writeReportPage(path: string, html: string): Promise<void> {
  const existing = await readFile(path, 'utf8').then(
    (text) => text,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        return undefined;
      }
      throw new UsageError(`cannot write --out ${path}: ${error.code ?? error.message}`);
    },
  );
  if (existing !== undefined && !existing.slice(0, 2048).includes(GENERATOR_MARK)) {
    throw new UsageError(`--out ${path} exists and is not an mdq report: not overwriting it`, {
      hint: 'choose another file name, or move that file away',
    });
  }
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const handle = await open(temporary, 'wx');
    await handle.close();
    await writeFile(temporary, html);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write --out ${path}: ${code ?? (error as Error).message}`, {
      hint: 'check that the folder exists and is writable',
    });
  }
}
