import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { InDoubtAppend } from './append-writer.js';
import type { BlobTarget } from './target.js';

/** First line of a spool file: where its payload belongs. */
export interface SpoolMeta {
  v: 1;
  /** The destination it was meant for; a spool folder may be shared by collectors of others. */
  destination: string;
  key: string;
  target: BlobTarget;
  rows: number;
  /**
   * The payload's first bytes were sent to storage by a process that then failed or ended
   * before learning the outcome: the replayer reads that range back and skips them if there.
   */
  inDoubt?: InDoubtAppend;
}

/** What is left of a claimed batch after a partial replay. */
export interface SpoolUpdate {
  payload: string;
  rows: number;
  inDoubt?: InDoubtAppend;
}

export interface SpooledBatch {
  meta: SpoolMeta;
  payload: string;
  /** The batch is in storage: delete the file. */
  done(): Promise<void>;
  /**
   * Storage failed again: put the file back for a later try, with `update` as its new content
   * when part of it landed or a send's outcome is unknown (replaced atomically).
   */
  release(update?: SpoolUpdate): Promise<void>;
}

const BATCH = '.batch';
const CLAIM = '.claim-';

/**
 * The disk safety net (formats as in ApplicationInsights' crash store, bounded unlike it): one
 * file per batch, `<meta json>\n<payload>`, written to a temp name and renamed so a reader never
 * sees half a file. Any process can replay it: a replayer claims a file by renaming it to
 * `….claim-<pid>`, so two replayers never send the same batch; claims of dead processes are
 * released on the next start. Usage is tracked against a quota: a write that would exceed it is
 * refused, and the caller counts those rows as dropped.
 */
export class DiskSpool {
  readonly dir: string;
  readonly #destination: string;
  readonly #quotaBytes: number;
  /** Bytes in the folder as this process knows them (scanned once, then kept up to date). */
  #usedBytes: number | undefined;

  constructor(dir: string, destination: string, quotaBytes: number) {
    this.dir = dir;
    this.#destination = destination;
    this.#quotaBytes = quotaBytes;
  }

  /** Synchronous, for `exit` and for the queue cap on the hot path; false when over quota. */
  writeSync(
    key: string,
    target: BlobTarget,
    payload: string,
    rows: number,
    inDoubt?: InDoubtAppend,
  ): boolean {
    const data = this.#encode(key, target, payload, rows, inDoubt);
    if (!this.#reserve(data.length)) {
      return false;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      const { tmp, final } = this.#names();
      const fd = openSync(tmp, 'wx');
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, final);
      return true;
    } catch (error) {
      this.#usedBytes = (this.#usedBytes ?? 0) - data.length;
      throw error;
    }
  }

  async write(
    key: string,
    target: BlobTarget,
    payload: string,
    rows: number,
    inDoubt?: InDoubtAppend,
  ): Promise<boolean> {
    const data = this.#encode(key, target, payload, rows, inDoubt);
    if (!this.#reserve(data.length)) {
      return false;
    }
    try {
      await mkdir(this.dir, { recursive: true });
      const { tmp, final } = this.#names();
      await writeDurably(tmp, data);
      await rename(tmp, final);
      return true;
    } catch (error) {
      this.#usedBytes = (this.#usedBytes ?? 0) - data.length;
      throw error;
    }
  }

  /** Claims, one at a time and oldest first, the batches of this destination. */
  async *claim(): AsyncGenerator<SpooledBatch> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return; // no spool folder: nothing to replay
    }
    await this.#releaseDeadClaims(names);
    names = (await readdir(this.dir)).filter((name) => name.endsWith(BATCH)).sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const claimed = `${path}${CLAIM}${process.pid}-${randomBytes(3).toString('hex')}`;
      try {
        await rename(path, claimed);
      } catch {
        continue; // another replayer took it
      }
      const text = await readFile(claimed, 'utf8');
      const parsed = parseSpoolFile(text);
      if (parsed === undefined) {
        // Not ours to understand: set aside so it is not retried forever, but never deleted.
        await rename(claimed, `${path}.unreadable`).catch(() => undefined);
        continue;
      }
      if (parsed.meta.destination !== this.#destination) {
        await rename(claimed, path).catch(() => undefined);
        continue;
      }
      const size = Buffer.byteLength(text);
      yield {
        ...parsed,
        done: async () => {
          await unlink(claimed).catch(() => undefined);
          if (this.#usedBytes !== undefined) {
            this.#usedBytes = Math.max(0, this.#usedBytes - size);
          }
        },
        release: async (update) => {
          if (update !== undefined) {
            await this.#replace(claimed, parsed.meta, update).catch(() => undefined);
          }
          await rename(claimed, path).catch(() => undefined);
        },
      };
    }
  }

  /** Whether any batch file (of any destination) waits in the folder. */
  async hasBatches(): Promise<boolean> {
    try {
      return (await readdir(this.dir)).some((name) => name.endsWith(BATCH) || name.includes(CLAIM));
    } catch {
      return false;
    }
  }

  /** New content for a claimed file: written aside, synced, renamed over it (never half). */
  async #replace(claimed: string, meta: SpoolMeta, update: SpoolUpdate): Promise<void> {
    const { inDoubt: _old, ...rest } = meta;
    const next: SpoolMeta = {
      ...rest,
      rows: update.rows,
      ...(update.inDoubt === undefined ? {} : { inDoubt: { ...update.inDoubt } }),
    };
    const data = Buffer.from(`${JSON.stringify(next)}\n${update.payload}`);
    const { tmp } = this.#names();
    await writeDurably(tmp, data);
    const before = (await stat(claimed)).size;
    await rename(tmp, claimed);
    if (this.#usedBytes !== undefined) {
      this.#usedBytes = Math.max(0, this.#usedBytes + data.length - before);
    }
  }

  #encode(
    key: string,
    target: BlobTarget,
    payload: string,
    rows: number,
    inDoubt: InDoubtAppend | undefined,
  ): Buffer {
    const meta: SpoolMeta = {
      v: 1,
      destination: this.#destination,
      key,
      target,
      rows,
      ...(inDoubt === undefined ? {} : { inDoubt: { ...inDoubt } }),
    };
    return Buffer.from(`${JSON.stringify(meta)}\n${payload}`);
  }

  #names(): { tmp: string; final: string } {
    // Time first so a sorted listing replays oldest first.
    const base = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
    return { tmp: join(this.dir, `.tmp-${base}`), final: join(this.dir, `${base}${BATCH}`) };
  }

  #reserve(bytes: number): boolean {
    const used = this.#usedBytes ?? this.#scanSync();
    if (used + bytes > this.#quotaBytes) {
      return false;
    }
    this.#usedBytes = used + bytes;
    return true;
  }

  #scanSync(): number {
    let total = 0;
    try {
      for (const name of readdirSync(this.dir)) {
        try {
          total += statSync(join(this.dir, name)).size;
        } catch {
          // removed while we looked
        }
      }
    } catch {
      // no folder yet
    }
    return total;
  }

  async #releaseDeadClaims(names: string[]): Promise<void> {
    for (const name of names) {
      const at = name.indexOf(CLAIM);
      if (at < 0) {
        continue;
      }
      const pid = Number(name.slice(at + CLAIM.length).split('-')[0]);
      if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
        await rename(join(this.dir, name), join(this.dir, name.slice(0, at))).catch(
          () => undefined,
        );
      }
    }
  }
}

export function parseSpoolFile(text: string): { meta: SpoolMeta; payload: string } | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) {
    return undefined;
  }
  try {
    const meta = JSON.parse(text.slice(0, newline)) as SpoolMeta;
    if (meta.v !== 1 || typeof meta.key !== 'string' || typeof meta.target !== 'object') {
      return undefined;
    }
    if (meta.inDoubt !== undefined && !isInDoubt(meta.inDoubt)) {
      return undefined;
    }
    return { meta, payload: text.slice(newline + 1) };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but someone else's.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function isInDoubt(value: unknown): value is InDoubtAppend {
  const v = value as Partial<InDoubtAppend> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.blob === 'string' &&
    Number.isSafeInteger(v.offset) &&
    Number.isSafeInteger(v.length) &&
    Number.isSafeInteger(v.rows)
  );
}

/** Creates `path` (never overwriting) with `data` on disk before it is renamed into place. */
async function writeDurably(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
