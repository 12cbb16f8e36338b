import type { PullProgress, PullResult } from '../../src/query/pull/index.js';
import type { SourceStream } from '../../src/query/source-summary.js';
import { count, thousands } from './counts.js';
import { escapeControl } from './escape.js';

/** Human sizes for progress and summaries: whole bytes, one decimal above. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** How long something took: tenths under a minute, then minutes and seconds, then hours. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  return formatWhole(Math.round(seconds));
}

/** A time left: whole seconds (an estimate has no tenths to give). */
export function formatEta(seconds: number): string {
  return seconds < 60 ? `${Math.ceil(seconds)} s` : formatWhole(Math.round(seconds));
}

function formatWhole(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

/**
 * Download rate in bytes per second, and the time left for the whole job: downloads and loads
 * overlap, so it is whichever of the two has longer to go at its pace so far. Undefined until
 * both have made progress (the first load commits after the first batch has downloaded).
 */
export function rateAndEta(progress: PullProgress): { rate: number; etaSeconds?: number } {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.bytesDownloaded / seconds : 0;
  const downloaded = fraction(progress.bytesDownloaded, progress.bytesToLoad);
  const loaded = fraction(progress.blobsLoaded + progress.quarantined, progress.blobsToLoad);
  if (progress.phase !== 'downloading' || seconds <= 0 || downloaded === 0 || loaded === 0) {
    return { rate };
  }
  const left = (done: number) => (seconds * (1 - done)) / done;
  return { rate, etaSeconds: Math.max(left(downloaded), left(loaded)) };
}

function fraction(done: number, total: number): number {
  return total > 0 ? Math.min(1, done / total) : 1;
}

/** What a pull says while it moves an older database to the stored layout. */
export const MIGRATING =
  'moving the database to the current layout (once; every row is rewritten, none changes)…';

/** One progress line for logs and pipes. */
export function formatProgressLine(progress: PullProgress): string {
  if (progress.phase === 'migrating') {
    return `mdq pull: ${MIGRATING}`;
  }
  if (progress.phase === 'listing') {
    // Downloads start while the listing goes on (pull.ts): show both.
    return (
      `mdq pull: listing: ${count(progress.blobsListed, 'blob')} so far, ` +
      `${thousands(progress.blobsDownloaded)} downloaded (${formatBytes(progress.bytesDownloaded)})`
    );
  }
  const { rate, etaSeconds } = rateAndEta(progress);
  const parts = [
    `downloaded ${thousands(progress.blobsDownloaded)}/${count(progress.blobsToLoad, 'blob')}`,
    `${formatBytes(progress.bytesDownloaded)}/${formatBytes(progress.bytesToLoad)}`,
    `loaded ${loadedText(progress)}`,
    `${formatBytes(rate)}/s`,
  ];
  if (etaSeconds !== undefined) {
    parts.push(`ETA ${formatEta(etaSeconds)}`);
  }
  return `mdq pull: ${parts.join(', ')}`;
}

/** `16/62 blobs, 1,234 rows, 1 quarantined`: the load's share of the job, with its total. */
export function loadedText(progress: PullProgress): string {
  const quarantined =
    progress.quarantined > 0 ? `, ${thousands(progress.quarantined)} quarantined` : '';
  return (
    `${thousands(progress.blobsLoaded)}/${count(progress.blobsToLoad, 'blob')}, ` +
    `${count(progress.rowsLoaded, 'row')}${quarantined}`
  );
}

/**
 * What the streams of a pull are: `2 identifiers × 1 model` (each identifier of each model is
 * one folder series), or, when not every model has every identifier, the folder count too.
 */
export function describeStreams(result: Pick<PullResult, 'streams' | 'identifiers' | 'models'>) {
  const shape = `${count(result.identifiers, 'identifier')} × ${count(result.models, 'model')}`;
  return result.streams === result.identifiers * result.models
    ? shape
    : `${count(result.streams, 'identifier folder')} (${shape.replace(' × ', ' of ')})`;
}

/** The final summary (always printed, to stderr): blobs, rows per table, bytes, seconds. */
export function formatPullSummary(result: PullResult): string {
  const tables = Object.entries(result.rowsByTable)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([table, rows]) => `${table} ${count(rows, 'row')}`);
  const lines = [
    `mdq pull: ${count(result.blobsLoaded, 'blob')} loaded (${formatBytes(result.bytesDownloaded)}), ` +
      `${thousands(result.blobsSkipped)} unchanged, ${describeStreams(result)}, ` +
      `${formatSeconds(result.seconds)}` +
      (tables.length > 0 ? `; ${tables.join(', ')}` : '; no new rows'),
    `database: ${escapeControl(result.dbPath)}`,
  ];
  if (result.labels !== undefined) {
    lines.push(formatLabels(result.labels));
  }
  if (result.quarantined.length > 0) {
    lines.push(`quarantined ${count(result.quarantined.length, 'blob')} that could not be parsed:`);
    for (const { reason } of result.quarantined) {
      lines.push(`  ${escapeControl(reason)}`);
    }
  }
  if (result.vanished.length > 0) {
    lines.push(
      `${count(result.vanished.length, 'blob was', 'blobs were')} deleted while pulling and skipped`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `labels: 2,311 rows, 94 % of inputs labeled` (the pulled service's inputs in the range). */
function formatLabels(labels: NonNullable<PullResult['labels']>): string {
  const rows = `labels: ${labels.rows.toLocaleString('en-US')} row${labels.rows === 1 ? '' : 's'}`;
  if (labels.inputs === 0) {
    return `${rows}, no inputs in the range`;
  }
  const share = Math.floor((100 * labels.labeled) / labels.inputs);
  return `${rows}, ${share} % of inputs labeled`;
}

/** A summary of what was committed before Ctrl-C (the next pull completes the rest). */
export function formatInterruptedSummary(progress: PullProgress | undefined): string {
  if (!progress) {
    return '';
  }
  return (
    `mdq pull: interrupted after ${count(progress.blobsLoaded, 'blob')}, ${count(progress.rowsLoaded, 'row')} ` +
    `committed in ${count(progress.batchesCommitted, 'batch', 'batches')}; run the same pull again to finish\n`
  );
}

/**
 * Plain progress for pipes and CI: at most one line a second, the first after a second, so a
 * quick pull (or an early error) prints only its summary and logs stay readable.
 */
export class PlainProgress {
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  #last: number;

  constructor(
    write: (text: string) => void,
    options: { now?: () => number; intervalMs?: number } = {},
  ) {
    this.#write = write;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#last = this.#now();
  }

  update(progress: PullProgress): void {
    const now = this.#now();
    // The migration sends no progress while it runs: say so as it starts, not a second later.
    const due = now - this.#last >= this.#intervalMs || progress.phase === 'migrating';
    if (due && progress.phase !== 'done') {
      this.#last = now;
      this.#write(`${formatProgressLine(progress)}\n`);
    }
  }
}

/** What a pull that found nothing in its range says instead of a summary of nothing. */
export interface EmptyPull {
  service: string;
  from: string;
  to: string;
  source: string;
  /** The service's streams in the source, with their first and last day. */
  held: readonly SourceStream[];
  /** The database file: undefined when the pull made none (an empty one is not kept). */
  dbPath: string | undefined;
}

const MAX_HELD_LINES = 10;

export function formatEmptyPull(pull: EmptyPull): string {
  const lines = [
    `mdq pull: no blobs of ${escapeControl(pull.service)} from ${pull.from} to ${pull.to} in ${escapeControl(pull.source)}`,
  ];
  // Per model and version: its days, and the identifiers that have them.
  const byModel = new Map<string, SourceStream[]>();
  for (const stream of pull.held) {
    const version = stream.modelVersion === '' ? '' : ` version ${stream.modelVersion}`;
    const key = `model ${stream.model}${version}`;
    byModel.set(key, [...(byModel.get(key) ?? []), stream]);
  }
  const held = [...byModel].flatMap(([model, streams]) => {
    const days = streams.flatMap((stream) =>
      stream.firstDay && stream.lastDay ? [stream.firstDay, stream.lastDay] : [],
    );
    if (days.length === 0) {
      return [];
    }
    days.sort();
    const identifiers = streams.filter((stream) => stream.firstDay).map((s) => s.identifier);
    return [
      `  ${escapeControl(model)}: ${days[0]} .. ${days[days.length - 1]} (${escapeControl(identifiers.join(', '))})`,
    ];
  });
  if (held.length === 0) {
    lines.push(`the source holds no days of ${escapeControl(pull.service)} yet`);
  } else {
    lines.push(`the source holds these days of ${escapeControl(pull.service)}:`);
    lines.push(...held.slice(0, MAX_HELD_LINES));
    if (held.length > MAX_HELD_LINES) {
      lines.push(`  … and ${count(held.length - MAX_HELD_LINES, 'more model')} (mdq ls --source)`);
    }
  }
  lines.push(
    pull.dbPath === undefined
      ? 'no database written'
      : `database: ${escapeControl(pull.dbPath)} (unchanged)`,
  );
  return `${lines.join('\n')}\n`;
}
