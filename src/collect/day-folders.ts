import type { StreamPath } from '../layout/index.js';
import { dayOfDate, dayPrefix, hourPrefix } from '../layout/index.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The UTC day (or hour) folder of a stream for a timestamp, memoised for the current period so
 * the hot path does not rebuild the path string on every collect().
 */
export class PeriodFolders {
  readonly #stream: StreamPath;
  readonly #periodMs: number;
  #period = Number.NaN;
  #folder = '';

  constructor(stream: StreamPath, by: 'day' | 'hour') {
    this.#stream = stream;
    this.#periodMs = by === 'day' ? DAY_MS : HOUR_MS;
  }

  folderFor(timeMs: number): string {
    const period = Math.floor(timeMs / this.#periodMs);
    if (period !== this.#period) {
      const date = new Date(timeMs);
      this.#folder =
        this.#periodMs === DAY_MS
          ? dayPrefix(this.#stream, dayOfDate(date))
          : hourPrefix(this.#stream, dayOfDate(date), date.getUTCHours());
      this.#period = period;
    }
    return this.#folder;
  }
}
