import { percentile, yieldToLoop } from '../stats.js';
import { benchCollector, irisRows, plainCsvLine } from './rows.js';

export interface CollectCost {
  medianNs: number;
  p99Ns: number;
  baselineMedianNs: number;
  baselineP99Ns: number;
  calls: number;
}

const BATCH = 100;

/**
 * Cost of one collect() call with one 4-feature row object, timed in batches of 100 calls with
 * process.hrtime.bigint (a single call is below the clock's useful resolution). Between batch
 * groups the event loop runs, so the background writer drains the queue as in a live service
 * (and the queue never reaches its spill-to-disk cap). The baseline is the same loop building
 * a plain CSV line per row.
 */
export async function measureCollectCost(work: string, calls: number): Promise<CollectCost> {
  const rows = irisRows();
  const errors: string[] = [];
  const collector = benchCollector(work, { folder: `${work}/out` }, errors);
  const perRow: number[] = [];
  try {
    await timeBatches(Math.min(20_000, calls), rows, (row) => collector.collect(row));
    await collector.flush();
    perRow.push(...(await timeBatches(calls, rows, (row) => collector.collect(row))));
    await collector.flush();
  } finally {
    await collector.close();
  }
  let sink = '';
  const baseline = await timeBatches(calls, rows, (row) => {
    sink += plainCsvLine(row);
    if (sink.length > 65_536) {
      sink = '';
    }
  });
  if (errors.length > 0) {
    throw new Error(`collector reported errors: ${errors[0]}`);
  }
  return {
    medianNs: percentile(perRow, 50),
    p99Ns: percentile(perRow, 99),
    baselineMedianNs: percentile(baseline, 50),
    baselineP99Ns: percentile(baseline, 99),
    calls,
  };
}

async function timeBatches<R>(
  calls: number,
  rows: readonly R[],
  call: (row: R) => void,
): Promise<number[]> {
  const perRow: number[] = [];
  let i = 0;
  for (let batch = 0; batch * BATCH < calls; batch++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < BATCH; k++) {
      call(rows[i++ & 1023] as R);
    }
    perRow.push(Number(process.hrtime.bigint() - start) / BATCH);
    if (batch % 10 === 9) {
      await yieldToLoop();
    }
  }
  return perRow;
}
