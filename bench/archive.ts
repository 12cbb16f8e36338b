import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { AksEncoder } from '../src/collect/encode-aks.js';
import { toRows } from '../src/collect/rows.js';
import { streamFor } from '../src/collect/stream.js';
import type { Day } from '../src/layout/types.js';

/** The service every generated archive belongs to (AKS layout, as the v1 collector wrote it). */
export const BENCH_SERVICE = 'irisapp';
export const BENCH_MODEL = 'iris';
export const IDENTIFIERS = ['inputs', 'predictions'] as const;
export const FIRST_DAY: Day = { year: 2026, month: 1, day: 1 };

export const INPUT_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
export const PREDICTION_COLUMNS = ['setosa', 'versicolor', 'virginica', 'label'];

export interface ArchiveSpec {
  days: number;
  blobsPerDay: number;
  /** Approximate size of each blob. */
  blobBytes: number;
  /** Rows encoded per collect()-like call (one correlation id each). */
  rowsPerRequest: number;
  /** Only every n-th request has `rowsPerRequest` rows, the others one (default: all). */
  multiRowEvery?: number;
}

/** Where an archive is written: a container (ContainerClient fits) or a folder (folderSink). */
export interface BlobSink {
  containerName: string;
  getBlockBlobClient(name: string): { upload(body: Buffer, length: number): Promise<unknown> };
}

/** A local folder as a BlobSink: blob names become paths under `root`. */
export function folderSink(root: string): BlobSink {
  return {
    containerName: root,
    getBlockBlobClient: (name) => ({
      async upload(body: Buffer) {
        const path = join(root, name);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
      },
    }),
  };
}

export interface Archive {
  container: string;
  blobs: number;
  bytes: number;
  rows: Record<(typeof IDENTIFIERS)[number], number>;
  from: Day;
  to: Day;
}

const DAY_MS = 86_400_000;
const UPLOAD_CONCURRENCY = 16;

/**
 * Writes an AKS-layout archive through mdq's own AKS encoder (the collector's hot path), blob by
 * blob straight into the container: 2 identifiers × `days`, `blobsPerDay` blobs each
 * (`inputs.csv`, `inputs-1.csv`, … the collector's own rollover names). Inputs and predictions of
 * one request share a correlation id and the day, as the collector writes them.
 */
export async function generateArchive(container: BlobSink, spec: ArchiveSpec): Promise<Archive> {
  const encoders = benchEncoders();
  const startMs = Date.UTC(FIRST_DAY.year, FIRST_DAY.month - 1, FIRST_DAY.day);
  const limit = pLimit(UPLOAD_CONCURRENCY);
  const rows = { inputs: 0, predictions: 0 };
  let bytes = 0;
  let blobs = 0;
  const uploads: Promise<void>[] = [];
  for (let d = 0; d < spec.days; d++) {
    for (let k = 0; k < spec.blobsPerDay; k++) {
      uploads.push(
        limit(async () => {
          const pair = encodePair(encoders, startMs + d * DAY_MS, spec);
          for (const identifier of IDENTIFIERS) {
            const blob = pair[identifier];
            const name = k === 0 ? blob.folder + blob.stem : `${blob.folder}${identifier}-${k}.csv`;
            const body = Buffer.from(blob.text);
            await container.getBlockBlobClient(name).upload(body, body.length);
            rows[identifier] += blob.rows;
            bytes += body.length;
            blobs += 1;
          }
        }),
      );
    }
  }
  await Promise.all(uploads);
  const last = new Date(startMs + (spec.days - 1) * DAY_MS);
  return {
    container: container.containerName,
    blobs,
    bytes,
    rows,
    from: FIRST_DAY,
    to: { year: last.getUTCFullYear(), month: last.getUTCMonth() + 1, day: last.getUTCDate() },
  };
}

/** The collector's AKS encoders of the bench service's two identifiers. */
export function benchEncoders(): PairEncoders {
  return {
    inputs: new AksEncoder(streamFor(BENCH_MODEL, 'aks', 'inputs', { service: BENCH_SERVICE })),
    predictions: new AksEncoder(
      streamFor(BENCH_MODEL, 'aks', 'predictions', { service: BENCH_SERVICE }),
    ),
  };
}

export interface PairEncoders {
  inputs: AksEncoder;
  predictions: AksEncoder;
}

export interface EncodedBlob {
  folder: string;
  stem: string;
  text: string;
  rows: number;
}

/** One inputs blob and its predictions blob for one day, request by request. */
export function encodePair(
  encoders: PairEncoders,
  dayStartMs: number,
  spec: ArchiveSpec,
): { inputs: EncodedBlob; predictions: EncodedBlob } {
  const inputs: string[] = [];
  const predictions: string[] = [];
  let size = 0;
  let rowCount = 0;
  let header = { inputs: '', predictions: '', folderIn: '', folderOut: '' };
  for (let request = 0; size < spec.blobBytes; request++) {
    const timeMs = dayStartMs + Math.floor(Math.random() * (DAY_MS - 1000));
    const correlation = { correlationId: randomUUID(), timeMs, userProvided: false };
    const features: number[][] = [];
    const scores: (number | string)[][] = [];
    const rows = request % (spec.multiRowEvery ?? 1) === 0 ? spec.rowsPerRequest : 1;
    for (let r = 0; r < rows; r++) {
      const row = INPUT_COLUMNS.map(() => Math.round(Math.random() * 800) / 100);
      features.push(row);
      const p = Math.random();
      scores.push([p, (1 - p) / 2, (1 - p) / 2, p > 0.5 ? 'setosa' : 'versicolor']);
    }
    const encodedIn = encoders.inputs.encode(toRows(features, INPUT_COLUMNS), correlation, timeMs);
    const encodedOut = encoders.predictions.encode(
      toRows(scores, PREDICTION_COLUMNS),
      correlation,
      timeMs,
    );
    header = {
      inputs: encodedIn.target.header,
      predictions: encodedOut.target.header,
      folderIn: encodedIn.target.folder,
      folderOut: encodedOut.target.folder,
    };
    inputs.push(encodedIn.text);
    predictions.push(encodedOut.text);
    size += Math.max(encodedIn.text.length, encodedOut.text.length);
    rowCount += rows;
  }
  return {
    inputs: {
      folder: header.folderIn,
      stem: 'inputs.csv',
      text: header.inputs + inputs.join(''),
      rows: rowCount,
    },
    predictions: {
      folder: header.folderOut,
      stem: 'predictions.csv',
      text: header.predictions + predictions.join(''),
      rows: rowCount,
    },
  };
}
