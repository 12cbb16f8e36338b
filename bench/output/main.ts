/**
 * `npm run bench:output`: `mdq sql` output against `mdq export` alone (output/index.ts), without
 * the rest of the bench. Prints the table; writes no RESULTS file (`npm run bench` does).
 */
import { markdownTable } from '../results.js';
import { secondsSince } from '../stats.js';
import { runOutputBench } from './index.js';

const started = process.hrtime.bigint();
const log = (line: string) =>
  process.stderr.write(`[${secondsSince(started).toFixed(0).padStart(4)} s] ${line}\n`);
process.stdout.write(`\n${markdownTable(await runOutputBench(log))}`);
