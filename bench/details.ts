import { DEFAULT_MEMORY_LIMITS, memoryLimitSetting } from '../src/query/pull/memory-budget.js';
import type { CollectorResults } from './collector/index.js';
import type { PullScenarioResult } from './scenarios/pull-scenario.js';
import { mib } from './stats.js';

const s = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(', ');
const k = (values: readonly number[]) =>
  values.map((v) => Math.round(v).toLocaleString('en-US')).join(', ');

/** Every individual run behind the medians, so a reader can judge the noise. */
export function describeRuns(scenarios: PullScenarioResult[], collector: CollectorResults): string {
  const lines = ['## Runs', ''];
  for (const scenario of scenarios) {
    const a = scenario.archive;
    lines.push(
      `### ${scenario.name}`,
      '',
      `- Archive: ${a.blobs} blobs, ${(a.bytes / 1e6).toFixed(1)} MB, ${a.rows.inputs.toLocaleString('en-US')} input + ${a.rows.predictions.toLocaleString('en-US')} prediction rows (AKS layout, 2 identifiers × days, generated with mdq's AKS encoder in ${scenario.generationSeconds.toFixed(1)} s)`,
      `- mdq pull (the built CLI, \`node dist/cli/main.js pull --source az://…\`, defaults): ${s(scenario.mdq)} s; peak RSS ${scenario.mdqRss.map((b) => (b / 2 ** 20).toFixed(0)).join(', ')} MiB (\`mdq --version\`: ${mib(scenario.baselineRss)})`,
      `- CPU (core-s, user + system, all threads) of those pulls: mdq ${s(scenario.mdqCpu.map((c) => c.process))}, Azurite serving them ${s(scenario.mdqCpu.map((c) => c.server))}`,
      `- azcopy copy … --recursive --from-to BlobLocal: ${typeof scenario.azcopy === 'string' ? scenario.azcopy : `${s(scenario.azcopy)} s`}`,
      `- limit total: ${s(scenario.limit.map((r) => r.seconds))} s; download ${s(scenario.limit.map((r) => r.downloadSeconds))} s; known-column load ${s(scenario.limit.map((r) => r.loadSeconds))} s (in its own process, DuckDB's default memory limit: peak RSS ${scenario.limit.map((r) => (r.loadRssBytes / 2 ** 20).toFixed(0)).join(', ')} MiB)`,
      `- the limit's CPU (core-s): download client ${s(scenario.limit.map((r) => r.cpu.client))}, Azurite ${s(scenario.limit.map((r) => r.cpu.server))}, load's process (start-up included) ${s(scenario.limit.map((r) => r.cpu.load))}`,
      ...(scenario.loadAtMdqLimit
        ? [
            `- the same load under mdq's memory settings (memory_limit ${memoryLimitSetting(DEFAULT_MEMORY_LIMITS.initialBytes)}, 8 MiB read buffer), once: ${scenario.loadAtMdqLimit.seconds.toFixed(2)} s, peak RSS ${mib(scenario.loadAtMdqLimit.maxRssBytes)}`,
          ]
        : []),
      `- no-op re-pull: ${s(scenario.noop)} s`,
    );
    lines.push(...scenario.profile, '');
  }
  lines.push(
    '### collector',
    '',
    `- collect() per row over ${collector.cost.calls.toLocaleString('en-US')} calls: median ${collector.cost.medianNs.toFixed(0)} ns, p99 ${collector.cost.p99Ns.toFixed(0)} ns; plain CSV line: median ${collector.cost.baselineMedianNs.toFixed(0)} ns, p99 ${collector.cost.baselineP99Ns.toFixed(0)} ns`,
    `- sustained → local folder: ${k(collector.local.map((r) => r.rowsPerSecond))} rows/s (spooled ${collector.local.map((r) => r.spooled).join(', ')})`,
    `- sustained → Azurite: ${k(collector.azurite.map((r) => r.rowsPerSecond))} rows/s (spooled ${collector.azurite.map((r) => r.spooled).join(', ')})`,
    `- plain CSV + fs append: ${k(collector.plainFs.map((r) => r.rowsPerSecond))} rows/s`,
    `- freshness: ${s(collector.freshness)} s`,
    `- soak RSS samples (MiB, 1/s): ${collector.soak.samples.map((b) => (b / 2 ** 20).toFixed(0)).join(' ')}; ${collector.soak.run.written.toLocaleString('en-US')} rows written, ${collector.soak.run.spooled} spooled, ${collector.soak.run.dropped} dropped`,
    '',
  );
  return lines.join('\n');
}
