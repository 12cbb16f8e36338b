/**
 * `npm run bench:report`: the report bench alone (bench/report/index.ts), its table printed;
 * `npm run bench` runs it too. BENCH_QUICK=1 for a smoke run of the harness.
 */
import { startBenchAzurite } from '../azurite.js';
import { markdownTable } from '../results.js';
import { benchSettings } from '../settings.js';
import { secondsSince } from '../stats.js';
import { runReportBench } from './index.js';

const started = process.hrtime.bigint();
const log = (line: string) =>
  process.stderr.write(`[${secondsSince(started).toFixed(0).padStart(4)} s] ${line}\n`);
const azurite = await startBenchAzurite();
try {
  process.stdout.write(
    markdownTable(await runReportBench(azurite, benchSettings(process.env), log)),
  );
} finally {
  await azurite.stop();
}
