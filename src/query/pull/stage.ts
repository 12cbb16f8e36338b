import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BlobStore } from '../../store/blob-store.js';
import type { ColumnRegistry } from './column-registry.js';
import type { InferredType } from './column-types.js';
import { CsvStager } from './csv-stager.js';
import { datarefReader } from './dataref.js';
import { JsonlStager } from './jsonl-stager.js';
import type { StagingDir } from './staging-dir.js';
import type { StagingMemory } from './staging-memory.js';
import type { PlannedBlob } from './types.js';
import { UnparsableBlobError } from './unparsable.js';
import { WriteBlocks } from './write-blocks.js';

/**
 * Blobs up to this size are staged in memory and written, many to one file, when their batch
 * loads: DuckDB pays per file opened (~0.5 ms), which dominated pulls of thousands of small
 * blobs. Larger blobs stream to a file of their own, so memory stays bounded either way.
 */
export const IN_MEMORY_LIMIT = 1024 * 1024;

/** A blob downloaded into staging form (or found empty, or quarantined), ready to load. */
export interface StagedFile {
  planned: PlannedBlob;
  format: 'csv' | 'v2';
  /** The staged rows in a file of their own (large blobs). */
  file?: string;
  /** The staged rows in memory (small blobs). */
  chunks?: Buffer[];
  /** Data columns in staged order. */
  columns: string[];
  rows: number;
  ragged: boolean;
  /** Data column types guessed while staging (CSV); absent: the loader samples the file. */
  types?: InferredType[];
  /** Bytes of the longest staged line: sizes DuckDB's line buffer. */
  longestLine?: number;
  modelVersion?: string;
  /** Why the blob could not be parsed; it is recorded as quarantined. */
  quarantine?: string;
}

export interface StageContext {
  store: BlobStore;
  staging: StagingDir;
  /** One registry per table for v2 keys, shared by all files of the pull. */
  registryFor: (table: string) => ColumnRegistry;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
  /**
   * Caps the bytes of small blobs staged in memory; a staged file returned with `chunks` holds
   * its blob's size of it until the caller gives it back (after loading).
   */
  memory?: StagingMemory;
  /** Write blocks shared by the pull's file sinks (write-blocks.ts). */
  blocks: WriteBlocks;
}

/** Where staged bytes go: memory for small blobs, a file for large ones. */
interface Sink {
  write(data: Buffer | string): Promise<void>;
  finish(): Promise<Pick<StagedFile, 'file' | 'chunks'>>;
  destroy(): void;
}

/**
 * Downloads one blob, streaming it through its format's stager. Exactly the listed size is
 * read: an append blob that grew since listing is loaded as listed, and the next pull sees its
 * new etag and reloads it whole.
 */
export async function stageBlob(planned: PlannedBlob, context: StageContext): Promise<StagedFile> {
  const format = planned.path.layout === 'v2' ? 'v2' : 'csv';
  const empty: StagedFile = { planned, format, columns: [], rows: 0, ragged: false };
  if (planned.blob.size === 0) {
    return empty;
  }
  const file = context.staging.fileFor(planned.blob.name);
  try {
    return await downloadOnce(planned, file, format, context);
  } catch (error) {
    await rm(file, { force: true });
    if (error instanceof UnparsableBlobError) {
      return { ...empty, quarantine: `${planned.blob.name} ${error.message}` };
    }
    throw error;
  }
}

async function downloadOnce(
  planned: PlannedBlob,
  file: string,
  format: 'csv' | 'v2',
  context: StageContext,
): Promise<StagedFile> {
  const { store, signal } = context;
  const source = await store.read(planned.blob.name, {
    length: planned.blob.size,
    ...(signal ? { signal } : {}),
  });
  const inMemory =
    planned.blob.size <= IN_MEMORY_LIMIT &&
    (context.memory === undefined || context.memory.tryTake(planned.blob.size));
  const sink = inMemory ? memorySink() : fileSink(file, context.blocks);
  // Held only while the staged rows are in memory: given back unless the caller gets chunks.
  const giveBack = () => {
    if (inMemory) {
      context.memory?.give(planned.blob.size);
    }
  };
  let reported = 0;
  try {
    let shape: Omit<StagedFile, 'planned' | 'format' | 'file' | 'chunks'>;
    if (format === 'csv') {
      const stager = new CsvStager(planned.path.layout, planned.blobId, planned.stream);
      for await (const chunk of source) {
        await sink.write(stager.push(chunk as Buffer));
        reported += (chunk as Buffer).length;
        context.onBytes?.((chunk as Buffer).length);
      }
      await sink.write(stager.end());
      shape = { ...stager.shape(), ...stager.sample() };
    } else {
      const stager = new JsonlStager(
        context.registryFor(planned.table),
        datarefReader(store, planned.blob.name, signal),
        planned.blobId,
        planned.stream,
      );
      for await (const chunk of source) {
        await sink.write(await stager.push(chunk as Buffer));
        reported += (chunk as Buffer).length;
        context.onBytes?.((chunk as Buffer).length);
      }
      await sink.write(await stager.end());
      const { modelVersion, ...rest } = stager.shape();
      shape = {
        ...rest,
        longestLine: stager.longestLine(),
        ...(modelVersion === undefined ? {} : { modelVersion }),
      };
    }
    const where = await sink.finish();
    if (shape.rows === 0) {
      giveBack();
      return { planned, format, ...shape };
    }
    return { planned, format, ...where, ...shape };
  } catch (error) {
    giveBack();
    source.destroy();
    sink.destroy();
    // A retried download counts its bytes again; take back what this attempt reported.
    context.onBytes?.(-reported);
    throw error;
  }
}

/** Stagers reuse their output buffer: a sink copies what it is given before the next push. */
function memorySink(): Sink {
  const chunks: Buffer[] = [];
  return {
    async write(data) {
      if (data.length > 0) {
        chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
      }
    },
    async finish() {
      return { chunks };
    },
    destroy() {
      chunks.length = 0;
    },
  };
}

/**
 * Staged output arrives in network-sized pieces (~64 KB). It is copied into 1 MiB blocks that
 * are written whole and reused once written: one fs write per MiB (each write wakes a libuv
 * thread, which on 2 busy cores preempts the main thread: 1.9 s of a 1 GB pull's profile went
 * to 64 KB writes), and no fresh memory per piece or per blob (write-blocks.ts).
 */
function fileSink(file: string, blocks: WriteBlocks): Sink {
  const stream = createWriteStream(file);
  let block = blocks.take();
  let used = 0;
  const flush = async () => {
    if (used === 0) {
      return;
    }
    const full = block;
    // The callback runs once the write no longer reads the block; a failed write drops it.
    const written = stream.write(full.subarray(0, used), (error) => {
      if (!error) {
        blocks.give(full);
      }
    });
    block = blocks.take();
    used = 0;
    if (!written) {
      await once(stream, 'drain');
    }
  };
  return {
    async write(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let offset = 0;
      while (offset < bytes.length) {
        const n = Math.min(WriteBlocks.BYTES - used, bytes.length - offset);
        bytes.copy(block, used, offset, offset + n);
        used += n;
        offset += n;
        if (used === WriteBlocks.BYTES) {
          await flush();
        }
      }
    },
    async finish() {
      await flush();
      stream.end();
      await once(stream, 'finish');
      blocks.give(block);
      return { file };
    },
    destroy() {
      stream.destroy();
    },
  };
}
