import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BlobStore } from '../../store/blob-store.js';
import type { ColumnRegistry } from './column-registry.js';
import { CsvStager } from './csv-stager.js';
import { datarefReader } from './dataref.js';
import { JsonlStager } from './jsonl-stager.js';
import type { StagingDir } from './staging-dir.js';
import type { PlannedBlob } from './types.js';
import { UnparsableBlobError } from './unparsable.js';

/** A blob downloaded into staging form (or found empty, or quarantined), ready to load. */
export interface StagedFile {
  planned: PlannedBlob;
  format: 'csv' | 'v2';
  /** The staged CSV; undefined when the blob holds no rows (0 bytes, header only). */
  file?: string;
  /** Data columns in staged order. */
  columns: string[];
  rows: number;
  ragged: boolean;
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
}

/**
 * Downloads one blob, streaming it through its format's stager into the staging folder, so
 * memory stays bounded by the chunk (and longest line) whatever the blob size. Exactly the
 * listed size is read: an append blob that grew since listing is loaded as listed, and the next
 * pull sees its new etag and reloads it whole.
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
  const sink = createWriteStream(file);
  const write = async (data: Buffer | string) => {
    if (data.length > 0 && !sink.write(data)) {
      await once(sink, 'drain');
    }
  };
  let reported = 0;
  try {
    let shape: Omit<StagedFile, 'planned' | 'format' | 'file'>;
    if (format === 'csv') {
      const stager = new CsvStager(planned.path.layout);
      for await (const chunk of source) {
        await write(stager.push(chunk as Buffer));
        reported += (chunk as Buffer).length;
        context.onBytes?.((chunk as Buffer).length);
      }
      await write(stager.end());
      shape = stager.shape();
    } else {
      const stager = new JsonlStager(
        context.registryFor(planned.table),
        datarefReader(store, planned.blob.name, signal),
      );
      for await (const chunk of source) {
        await write(await stager.push(chunk as Buffer));
        reported += (chunk as Buffer).length;
        context.onBytes?.((chunk as Buffer).length);
      }
      await write(await stager.end());
      const { modelVersion, ...rest } = stager.shape();
      shape = { ...rest, ...(modelVersion === undefined ? {} : { modelVersion }) };
    }
    sink.end();
    await once(sink, 'finish');
    return shape.rows === 0 ? { planned, format, ...shape } : { planned, format, file, ...shape };
  } catch (error) {
    source.destroy();
    sink.destroy();
    // A retried download counts its bytes again; take back what this attempt reported.
    context.onBytes?.(-reported);
    throw error;
  }
}
