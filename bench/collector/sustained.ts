import { open } from 'node:fs/promises';
import type { ModelDataCollector } from '../../src/collect/index.js';
import { secondsSince, yieldToLoop } from '../stats.js';
import { type IrisRow, irisRows, plainCsvLine } from './rows.js';

export interface SustainedRun {
  rowsPerSecond: number;
  collected: number;
  written: number;
  spooled: number;
  dropped: number;
  seconds: number;
}

/** Rows offered per turn of the event loop: a busy service, one row per collect() call. */
const ROWS_PER_TURN = 1000;

/**
 * Full-speed producer for `seconds`, one row per collect(), yielding to the event loop every
 * 1,000 rows; then flush(). The rate counts only rows appended to the destination (not those
 * that spilled to the disk spool) over the whole time including the final flush.
 */
export async function sustainCollector(
  collector: ModelDataCollector,
  seconds: number,
  onTick?: () => void,
): Promise<SustainedRun> {
  const rows = irisRows();
  const start = process.hrtime.bigint();
  let i = 0;
  while (secondsSince(start) < seconds) {
    for (let k = 0; k < ROWS_PER_TURN; k++) {
      collector.collect(rows[i++ & 1023]);
    }
    onTick?.();
    await yieldToLoop();
  }
  await collector.flush();
  const elapsed = secondsSince(start);
  const stats = collector.stats();
  return {
    rowsPerSecond: stats.written / elapsed,
    collected: stats.collected,
    written: stats.written,
    spooled: stats.spooled,
    dropped: stats.dropped,
    seconds: elapsed,
  };
}

/**
 * Baseline: the same producer loop encoding plain CSV lines and appending each 1,000-row chunk
 * to a file with fs (FileHandle.appendFile), awaited, so the rate includes the writes.
 */
export async function sustainPlainFs(file: string, seconds: number): Promise<SustainedRun> {
  const rows: IrisRow[] = irisRows();
  const handle = await open(file, 'a');
  const start = process.hrtime.bigint();
  let written = 0;
  let i = 0;
  try {
    while (secondsSince(start) < seconds) {
      let chunk = '';
      for (let k = 0; k < ROWS_PER_TURN; k++) {
        chunk += plainCsvLine(rows[i++ & 1023] as IrisRow);
      }
      await handle.appendFile(chunk);
      written += ROWS_PER_TURN;
    }
  } finally {
    await handle.close();
  }
  const elapsed = secondsSince(start);
  return {
    rowsPerSecond: written / elapsed,
    collected: written,
    written,
    spooled: 0,
    dropped: 0,
    seconds: elapsed,
  };
}
