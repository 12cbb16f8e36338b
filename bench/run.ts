/**
 * `npm run bench`: pull against azcopy and the machine's limit, listing cost, and the
 * collector's hot path, each figure beside its baseline in this one run (issue 5). Prints one
 * markdown table and writes it to bench/RESULTS.md with the machine's description.
 * BENCH_QUICK=1: a tiny smoke run of the harness, written to bench/.work/RESULTS.quick.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { startBenchAzurite } from './azurite.js';
import { prepareAzcopy } from './baselines/azcopy.js';
import { runCollectorBench } from './collector/index.js';
import { describeRuns } from './details.js';
import { describeMachine, readLoadAverage } from './machine.js';
import { runOutputBench } from './output/index.js';
import { runQueryBench } from './queries/index.js';
import { runReportBench } from './report/index.js';
import {
  collectorRows,
  informativePullRows,
  listingRow,
  markdownTable,
  pullRows,
  type TableRow,
} from './results.js';
import { measureListing } from './scenarios/listing.js';
import { type PullScenarioResult, runPullScenario } from './scenarios/pull-scenario.js';
import { benchSettings } from './settings.js';
import { secondsSince } from './stats.js';

const settings = benchSettings(process.env);
const started = process.hrtime.bigint();
const log = (line: string) =>
  process.stderr.write(`[${secondsSince(started).toFixed(0).padStart(4)} s] ${line}\n`);

const azcopy = await prepareAzcopy();
log(azcopy.ok ? `azcopy ${azcopy.version}` : azcopy.reason);
const machine = describeMachine(azcopy.ok ? azcopy.version : undefined);
const azurite = await startBenchAzurite();
const rows: TableRow[] = [];
const scenarios: PullScenarioResult[] = [];
let details = '';
try {
  const small = await runPullScenario(azurite, {
    name: 'small blobs',
    spec: {
      days: settings.days,
      blobsPerDay: settings.smallBlobsPerDay,
      blobBytes: settings.smallBlobBytes,
      rowsPerRequest: 1,
    },
    runs: settings.runs,
    limitConcurrency: 32,
    profile: false,
    azcopy,
    log,
  });
  scenarios.push(small);
  rows.push(...pullRows(small, false));
  const large = await runPullScenario(azurite, {
    name: 'large blobs',
    spec: {
      days: settings.days,
      blobsPerDay: 1,
      blobBytes: settings.largeBlobBytes,
      rowsPerRequest: 100,
    },
    runs: settings.runs,
    limitConcurrency: 8,
    profile: true,
    azcopy,
    log,
  });
  scenarios.push(large);
  rows.push(...pullRows(large, true));
  const medium = await runPullScenario(azurite, {
    name: 'medium blobs, one row per request',
    spec: {
      days: settings.days,
      blobsPerDay: settings.mediumBlobsPerDay,
      blobBytes: settings.mediumBlobBytes,
      rowsPerRequest: 1,
    },
    runs: settings.runs,
    limitConcurrency: 16,
    profile: false,
    azcopy,
    log,
  });
  scenarios.push(medium);
  rows.push(...informativePullRows(medium));
  const listing = await measureListing(azurite, settings.days, settings.listingLongDays);
  log(`listing: ${listing.longCalls} vs ${listing.shortCalls} list calls`);
  rows.push(listingRow(listing));
  const collector = await runCollectorBench(azurite, settings, log);
  rows.push(...collectorRows(collector));
  rows.push(...(await runReportBench(azurite, settings, log)));
  rows.push(...(await runQueryBench({ quick: settings.quick, runs: settings.quick ? 1 : 5, log })));
  details = describeRuns(scenarios, collector);
} finally {
  await azurite.stop();
}
rows.push(...(await runOutputBench(log)));

const table = markdownTable(rows);
const problems = scenarios.flatMap((s) => s.problems.map((p) => `- ${s.name}: ${p}`));
const report = [
  '# mdq benchmarks',
  '',
  settings.quick
    ? '**BENCH_QUICK=1: a smoke run of the harness; these figures mean nothing.**\n'
    : '',
  `Written by \`npm run bench\` on ${new Date().toISOString()} in ${secondsSince(started).toFixed(0)} s. ` +
    `Medians of ${settings.runs} runs each, all in this one process run; Azurite (child process, in memory), ` +
    'the client and DuckDB share the cores, so compare ratios, not absolute times across runs.',
  '',
  ...machine,
  `- Load average at end: ${readLoadAverage()} (other engineers' tests may have been running)`,
  '',
  table,
  problems.length > 0 ? `## Problems\n\n${problems.join('\n')}\n` : '',
  details,
].join('\n');
process.stdout.write(`\n${table}`);
const out = settings.quick ? 'bench/.work/RESULTS.quick.md' : 'bench/RESULTS.md';
await mkdir('bench/.work', { recursive: true });
await writeFile(out, report);
log(`wrote ${out}`);
