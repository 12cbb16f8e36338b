// Runs only the bench's large scenario (3 runs) with the tree's own harness; prints medians.
import { startBenchAzurite } from './bench/azurite.js';
import { runPullScenario } from './bench/scenarios/pull-scenario.js';
import { median } from './bench/stats.js';
const azurite = await startBenchAzurite();
try {
  const large = await runPullScenario(azurite, {
    name: 'large blobs',
    spec: { days: 30, blobsPerDay: 1, blobBytes: 18 * 1024 * 1024, rowsPerRequest: 100 },
    runs: Number(process.env.RUNS ?? 3),
    limitConcurrency: 8,
    profile: false,
    azcopy: { ok: false, reason: 'skipped' },
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const cpu = large.mdqCpu.map((c) => c.process + c.server);
  console.log(JSON.stringify({ mdq: large.mdq, median: median(large.mdq), cpu, rss: large.mdqRss.map((r) => Math.round(r / 2 ** 20)), limit: median(large.limit.map((r) => r.seconds)), problems: large.problems }));
} finally {
  await azurite.stop();
}
