import type { PullProgress, PullResult } from '../../src/query/pull/index.js';
import { escapeControl } from './escape.js';

/** Human sizes for progress and summaries. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  return seconds < 60
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** Download rate in bytes per second, and the time left at that rate (undefined early on). */
export function rateAndEta(progress: PullProgress): { rate: number; etaSeconds?: number } {
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? progress.bytesDownloaded / seconds : 0;
  const left = progress.bytesToLoad - progress.bytesDownloaded;
  return rate > 0 && left >= 0 ? { rate, etaSeconds: left / rate } : { rate };
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
      `mdq pull: listing: ${progress.streams} streams, ${progress.blobsListed} blobs so far, ` +
      `${progress.blobsDownloaded} downloaded (${formatBytes(progress.bytesDownloaded)})`
    );
  }
  const { rate, etaSeconds } = rateAndEta(progress);
  const parts = [
    `downloaded ${progress.blobsDownloaded}/${progress.blobsToLoad} blobs`,
    `${formatBytes(progress.bytesDownloaded)}/${formatBytes(progress.bytesToLoad)}`,
    `loaded ${progress.blobsLoaded} blobs, ${progress.rowsLoaded} rows`,
    `${formatBytes(rate)}/s`,
  ];
  if (etaSeconds !== undefined && progress.phase === 'downloading') {
    parts.push(`ETA ${formatSeconds(etaSeconds)}`);
  }
  return `mdq pull: ${parts.join(', ')}`;
}

/** The final summary (always printed, to stderr): blobs, rows per table, bytes, seconds. */
export function formatPullSummary(result: PullResult): string {
  const tables = Object.entries(result.rowsByTable)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([table, rows]) => `${table} ${rows} rows`);
  const lines = [
    `mdq pull: ${result.blobsLoaded} blobs loaded (${formatBytes(result.bytesDownloaded)}), ` +
      `${result.blobsSkipped} unchanged, ${result.streams} streams, ` +
      `${formatSeconds(result.seconds)}` +
      (tables.length > 0 ? `; ${tables.join(', ')}` : '; no new rows'),
    `database: ${escapeControl(result.dbPath)}`,
  ];
  if (result.labels !== undefined) {
    lines.push(formatLabels(result.labels));
  }
  if (result.quarantined.length > 0) {
    lines.push(`quarantined ${result.quarantined.length} blob(s) that could not be parsed:`);
    for (const { reason } of result.quarantined) {
      lines.push(`  ${escapeControl(reason)}`);
    }
  }
  if (result.vanished.length > 0) {
    lines.push(`${result.vanished.length} blob(s) were deleted while pulling and were skipped`);
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
    `mdq pull: interrupted after ${progress.blobsLoaded} blobs, ${progress.rowsLoaded} rows ` +
    `committed in ${progress.batchesCommitted} batches; run the same pull again to finish\n`
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
