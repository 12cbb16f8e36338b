import { benchCollector } from './rows.js';
import { type SustainedRun, sustainCollector } from './sustained.js';

export interface SoakResult {
  run: SustainedRun;
  /** RSS samples, one per second of the run. */
  samples: number[];
  startRss: number;
  endRss: number;
  maxRss: number;
  /** Max RSS over the second half ≤ 1.1 × max RSS over the first half (no steady growth). */
  flat: boolean;
}

/** A sustained full-speed run into a local folder for `seconds`, sampling RSS every second. */
export async function soakCollector(work: string, seconds: number): Promise<SoakResult> {
  const errors: string[] = [];
  const collector = benchCollector(work, { folder: `${work}/out` }, errors);
  const samples: number[] = [];
  let nextSample = Date.now() + 1000;
  let run: SustainedRun;
  try {
    run = await sustainCollector(collector, seconds, () => {
      if (Date.now() >= nextSample) {
        samples.push(process.memoryUsage.rss());
        nextSample += 1000;
      }
    });
  } finally {
    await collector.close();
  }
  samples.push(process.memoryUsage.rss());
  const half = Math.max(1, Math.floor(samples.length / 2));
  const firstMax = Math.max(...samples.slice(0, half));
  const secondMax = Math.max(...samples.slice(half));
  return {
    run,
    samples,
    startRss: samples[0] ?? 0,
    endRss: samples.at(-1) ?? 0,
    maxRss: Math.max(...samples),
    flat: secondMax <= firstMax * 1.1,
  };
}
