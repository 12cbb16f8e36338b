import { formatDay } from '../layout/days.js';
import type { LayoutKind } from '../layout/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { discoverStreams, streamDays } from './discover.js';

export interface SourceStream {
  layout: LayoutKind;
  service: string;
  model: string;
  /** '' for v2 (the version lives in each event). */
  modelVersion: string;
  identifier: string;
  /** First and last day folder (YYYY-MM-DD), undefined when the stream holds no day yet. */
  firstDay: string | undefined;
  lastDay: string | undefined;
}

export interface SummariseSourceOptions {
  layout?: LayoutKind | 'auto';
  signal?: AbortSignal;
}

/**
 * What an archive holds, one entry per stream (service / model / version / identifier) with its
 * first and last day. Found by hierarchical listing: the stream folders, then only the first
 * and last year/month/day folders of each, never every blob.
 */
export async function summariseSource(
  store: BlobStore,
  options: SummariseSourceOptions = {},
): Promise<SourceStream[]> {
  const streams = await discoverStreams(store, {
    layout: options.layout ?? 'auto',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const entries: SourceStream[] = [];
  for (const stream of streams) {
    const days = await streamDays(store, stream, options.signal ? { signal: options.signal } : {});
    entries.push({
      layout: stream.layout,
      service: stream.service,
      model: stream.model,
      modelVersion: stream.modelVersion,
      identifier: stream.identifier,
      firstDay: days ? formatDay(days.first) : undefined,
      lastDay: days ? formatDay(days.last) : undefined,
    });
  }
  return entries.sort((a, b) => compareKey(a).localeCompare(compareKey(b)));
}

function compareKey(entry: SourceStream): string {
  return [entry.service, entry.model, entry.modelVersion, entry.identifier].join('\u0000');
}
