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
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
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
   * The collector that spooled it (a random id per collector), so that a replay by another
   * collector credits the rows to it (stats). Absent in files of older versions.
   */
  owner?: string;
  /**
   * The payload's first bytes were sent to storage by a process that then failed or ended
   * before learning the outcome: the replayer reads that range back and skips them if there.
   */
  inDoubt?: InDoubtAppend;
}

/**
 * How far the replays of one spool file got, kept beside it (`<name>.sent`) and replaced durably
 * before each append, so that a replayer that dies mid-append leaves the next one a record of
 * where its bytes may have landed.
 */
export interface ReplayProgress {
  /** Payload bytes known to be in storage (the start of the payload). */
  done: number;
  /** The append sent last, whose outcome is unknown: the payload's bytes from `done` on. */
  inDoubt?: InDoubtAppend;
}

export interface SpooledBatch {
  meta: SpoolMeta;
  payload: string;
  /** What an earlier replay of this file recorded; undefined when none sent anything. */
  progress: ReplayProgress | undefined;
  /** Durably records the progress before an append is sent (never half a record). */
  record(progress: ReplayProgress): Promise<void>;
  /** The batch is in storage: delete the file and its progress record. */
  done(): Promise<void>;
  /** Storage failed again: put the file back for a later try (the progress record stays). */
  release(): Promise<void>;
  /** The batch can never be sent (a row larger than one append): set aside, never deleted. */
  setAside(): Promise<void>;
}

const BATCH = '.batch';
const CLAIM = '.claim-';
/** Beside `<base>.batch`: the replay progress record. */
const SENT = '.sent';
/** A replayed batch, renamed so that its progress record can go: both are then deleted. */
const LANDED = '.landed';
const TMP = '.tmp-';

/**
 * The disk safety net (formats as in ApplicationInsights' crash store, bounded unlike it): one
 * file per batch, `<meta json>\n<payload>`, written to a temp name and renamed so a reader never
 * sees half a file. Any process can replay it: a replayer claims a file by renaming it to
 * `….claim-<pid>`, so two replayers never send the same batch; claims of dead processes are
 * released on the next start (the processes sharing a spool folder share one host). Before each
 * append a replayer records where it sends it (`<base>.sent`), so a replayer killed mid-append
 * leaves the next one enough to check what landed: replay is exactly-once across crashes.
 * Usage is tracked against a quota: a write that would exceed it is refused, and the caller
 * counts those rows as dropped.
 */
export class DiskSpool {
  readonly dir: string;
  readonly #destination: string;
  readonly #quotaBytes: number;
  readonly #owner: string | undefined;
  /** Bytes in the folder as this process knows them (scanned once, then kept up to date). */
  #usedBytes: number | undefined;

  /** `owner`: the id of the collector whose batches this spool writes (see SpoolMeta.owner). */
  constructor(dir: string, destination: string, quotaBytes: number, owner?: string) {
    this.dir = dir;
    this.#destination = destination;
    this.#quotaBytes = quotaBytes;
    this.#owner = owner;
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
    await this.#tidy(names);
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
      const base = path.slice(0, -BATCH.length);
      const progress = await readProgress(`${base}${SENT}`);
      if (progress === 'unreadable') {
        // Resending the whole batch could store rows twice: set aside rather than guess.
        await rename(claimed, `${path}.unreadable`).catch(() => undefined);
        continue;
      }
      yield this.#claimed(base, claimed, parsed, progress, Buffer.byteLength(text));
    }
  }

  #claimed(
    base: string,
    claimed: string,
    parsed: { meta: SpoolMeta; payload: string },
    progress: ReplayProgress | undefined,
    size: number,
  ): SpooledBatch {
    const path = `${base}${BATCH}`;
    let recorded = progress !== undefined;
    return {
      ...parsed,
      progress,
      record: async (next) => {
        const { tmp } = this.#names();
        await writeDurably(tmp, Buffer.from(JSON.stringify({ v: 1, ...next })));
        await rename(tmp, `${base}${SENT}`);
        recorded = true;
      },
      done: async () => {
        if (recorded) {
          // Renamed first: a process killed between the two deletes leaves a `.landed` file,
          // which tells the next replayer that the progress record beside it may go.
          await rename(claimed, `${base}${LANDED}`);
          await removeLanded(base);
        } else {
          await unlink(claimed).catch(() => undefined);
        }
        if (this.#usedBytes !== undefined) {
          this.#usedBytes = Math.max(0, this.#usedBytes - size);
        }
      },
      release: async () => {
        await rename(claimed, path).catch(() => undefined);
      },
      setAside: async () => {
        await rename(claimed, `${path}.unsendable`).catch(() => undefined);
      },
    };
  }

  /** Whether any batch file (of any destination) waits in the folder. */
  async hasBatches(): Promise<boolean> {
    try {
      return (await readdir(this.dir)).some((name) => name.endsWith(BATCH) || name.includes(CLAIM));
    } catch {
      return false;
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
      ...(this.#owner === undefined ? {} : { owner: this.#owner }),
      ...(inDoubt === undefined ? {} : { inDoubt: { ...inDoubt } }),
    };
    return Buffer.from(`${JSON.stringify(meta)}\n${payload}`);
  }

  #names(): { tmp: string; final: string } {
    // Time first so a sorted listing replays oldest first.
    const base = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
    return { tmp: join(this.dir, `${TMP}${base}`), final: join(this.dir, `${base}${BATCH}`) };
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

  /**
   * Before a replay pass: claims of dead processes go back to the queue (their progress records
   * stay beside them), half-written files of dead processes go, and so do the progress records
   * of batches that a process replayed but died before deleting.
   */
  async #tidy(names: string[]): Promise<void> {
    for (const name of names) {
      const claim = name.indexOf(CLAIM);
      if (claim >= 0) {
        if (isDeadPid(name.slice(claim + CLAIM.length).split('-')[0])) {
          await rename(join(this.dir, name), join(this.dir, name.slice(0, claim))).catch(
            () => undefined,
          );
        }
      } else if (name.startsWith(TMP)) {
        // `.tmp-<time>-<pid>-<random>`
        if (isDeadPid(name.slice(TMP.length).split('-')[1])) {
          await unlink(join(this.dir, name)).catch(() => undefined);
        }
      } else if (name.endsWith(LANDED)) {
        await removeLanded(join(this.dir, name.slice(0, -LANDED.length)));
      }
    }
  }
}

/** The progress record first, then the `.landed` file that vouches for its removal. */
async function removeLanded(base: string): Promise<void> {
  await unlink(`${base}${SENT}`).catch(() => undefined);
  await unlink(`${base}${LANDED}`).catch(() => undefined);
}

/** The progress record at `path`: undefined when there is none. */
async function readProgress(path: string): Promise<ReplayProgress | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as { v?: unknown } & Partial<ReplayProgress>;
    if (
      value.v === 1 &&
      Number.isSafeInteger(value.done) &&
      (value.inDoubt === undefined || isInDoubt(value.inDoubt))
    ) {
      return {
        done: value.done as number,
        ...(value.inDoubt === undefined ? {} : { inDoubt: value.inDoubt }),
      };
    }
  } catch {
    // below
  }
  // Renamed into place from a synced file, so never half written: this one is not ours.
  return 'unreadable';
}

function isDeadPid(text: string | undefined): boolean {
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
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
