import { execFile } from 'node:child_process';
import { closeSync, constants, open as openDescriptor } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ChunkReader, pipeReader } from './chunk-reader.js';

const execFileAsync = promisify(execFile);
const openFd = promisify(openDescriptor);

/**
 * A named pipe in a private temporary folder (mode 0700): DuckDB writes a COPY into its path
 * while this process reads the other end, so DuckDB's own writer does the formatting and a
 * slow reader holds DuckDB back (a full pipe blocks its write) instead of filling memory.
 */
export interface Fifo {
  /** What DuckDB writes to. */
  path: string;
  /** The read end, non-blocking (read through libuv, not the thread pool DuckDB runs on). */
  reader: ChunkReader;
  /**
   * Call once the writer (DuckDB) is done, whether it ever opened the pipe or not: until then a
   * write end held here keeps the reader from seeing end-of-file before DuckDB has opened it.
   */
  writerDone(): Promise<void>;
  /** Removes the folder (call when reading is over). */
  remove(): Promise<void>;
  /**
   * Closes this process's ends now, synchronously: for a process about to exit, whose thread
   * pool (where DuckDB writes) must finish first. A write waiting on the full pipe then fails.
   */
  closeSync(): void;
}

/** A FIFO, or undefined where the system has none (`mkfifo` missing, e.g. Windows). */
export async function makeFifo(): Promise<Fifo | undefined> {
  const folder = await mkdtemp(join(tmpdir(), 'mdq-out-'));
  const path = join(folder, 'result');
  const remove = () => rm(folder, { recursive: true, force: true });
  try {
    await execFileAsync('mkfifo', ['-m', '600', path]);
  } catch {
    await remove();
    return undefined;
  }
  // Read end first (non-blocking open of a FIFO never waits), then a write end: opening it
  // succeeds now that a reader exists, and DuckDB's own open will not block either.
  // The reader is a plain descriptor, not a FileHandle: its socket owns and closes it.
  const readFd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const holdHandle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const reader = pipeReader(readFd);
  let released: Promise<void> | undefined;
  return {
    path,
    reader,
    writerDone() {
      released ??= holdHandle.close();
      return released;
    },
    remove,
    closeSync() {
      for (const fd of [readFd, holdHandle.fd]) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
    },
  };
}
