/**
 * `npm run bench:queries`: only the query suite (queries/index.ts), printed as the table rows
 * `npm run bench` puts in RESULTS.md. BENCH_QUICK=1: a smoke run of the harness.
 */
import { markdownTable } from '../results.js';
import { benchSettings } from '../settings.js';
import { secondsSince } from '../stats.js';
import { runQueryBench } from './index.js';

const settings = benchSettings(process.env);
const started = process.hrtime.bigint();
const rows = await runQueryBench({
  quick: settings.quick,
  runs: settings.quick ? 1 : 5,
  log: (line) =>
    process.stderr.write(`[${secondsSince(started).toFixed(0).padStart(4)} s] ${line}\n`),
});
process.stdout.write(`\n${markdownTable(rows)}`);
