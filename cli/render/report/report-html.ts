import type { ColumnReport, Report, Signal } from '../../../src/report/types.js';
import {
  dailyDriftSpec,
  distributionSpec,
  performanceSpec,
  predictionMixSpec,
  renderChart,
  requestsSpec,
  WINDOW_COLORS,
} from './charts.js';
import { formatNumber, reportHeadline } from './signal-rows.js';
import { GENERATOR_MARK } from './write-page.js';

const KIND_TITLES: Record<Signal['signal'], string> = {
  data_drift: 'data drift',
  prediction_drift: 'prediction drift',
  data_quality: 'data quality',
  performance: 'performance',
};

/**
 * The report as one self-contained HTML page: inline styles and SVG charts, no script, and a
 * content security policy that forbids fetching anything, light and dark by the reader's
 * colour scheme. Every piece of text from the data is escaped.
 */
export async function reportHtml(report: Report, generatedAt: Date): Promise<string> {
  const windowOf = (day: string) =>
    report.traffic.find((entry) => entry.day === day)?.window ??
    (day >= (report.target.from ?? '') && day <= (report.target.to ?? '') ? 'target' : 'baseline');
  const [windows, verdict] = reportHeadline(report);
  const failed = report.signals.some((s) => s.status === 'fail');
  const sections: string[] = [];
  sections.push(`<section id="verdicts"><h2>Verdicts</h2>${verdictList(report.signals)}</section>`);
  if (report.traffic.length > 0) {
    sections.push(
      `<section id="traffic"><h2>Requests per day</h2>${await figure('requests', requestsSpec(report.traffic))}</section>`,
    );
  }
  if (report.predictionMix && report.predictionMix.days.length > 0) {
    sections.push(
      `<section id="prediction-mix"><h2>Prediction mix per day: ${escapeHtml(report.predictionMix.column)}</h2>${await figure('prediction-mix', predictionMixSpec(report.predictionMix))}</section>`,
    );
  }
  if (report.performance && report.performance.daily.length > 0) {
    const p = report.performance;
    sections.push(
      `<section id="performance"><h2>Performance per day</h2><p class="muted">${escapeHtml(
        `${p.task}: ${p.predictionColumn} against ${p.labelColumn}, ${p.labeledRows} labelled rows`,
      )}</p>${await figure('performance', performanceSpec(p))}</section>`,
    );
  }
  const articles: string[] = [];
  for (const column of report.columns) {
    articles.push(await columnArticle(column, report.signals, windowOf));
  }
  if (articles.length > 0) {
    sections.push(`<section id="columns"><h2>Columns</h2>${articles.join('')}</section>`);
  }
  sections.push(
    `<section id="signals"><h2>All signals</h2>${signalTable(report.signals)}</section>`,
  );
  if (report.notes.length > 0) {
    sections.push(
      `<section id="notes"><h2>Not computed</h2><ul>${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul></section>`,
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${GENERATOR_MARK}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="color-scheme" content="light dark">
<title>mdq report${report.service ? ` · ${escapeHtml(report.service)}` : ''}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>mdq report${report.service ? ` · ${escapeHtml(report.service)}` : ''}</h1>
<p class="muted">${escapeHtml(windows ?? '')} · generated ${escapeHtml(generatedAt.toISOString())}</p>
<p class="headline ${failed ? 'fail' : 'pass'}">${escapeHtml(verdict ?? '')}</p>
<p class="legend"><span class="swatch" style="background:${WINDOW_COLORS.baseline}"></span>baseline <span class="swatch" style="background:${WINDOW_COLORS.target}"></span>target</p>
</header>
<main>
${sections.join('\n')}
</main>
<footer class="muted">Defaults as Azure Machine Learning model monitoring sets them: normalized Wasserstein distance &gt; 0.1 (numeric) and Jensen–Shannon distance &gt; 0.1 (categorical) is drift; any null, type error or out-of-bounds value beyond the baseline's is a data quality failure; accuracy, precision or recall below 0.5 is a performance failure. Change any with <code>--threshold metric=value</code>.</footer>
</body>
</html>
`;
}

/** One line per signal kind and column: its worst judged metric, and what failed. */
function verdictList(signals: readonly Signal[]): string {
  const groups = new Map<string, Signal[]>();
  for (const signal of signals) {
    if (signal.status === 'n/a') {
      continue;
    }
    const key = `${signal.signal}\u0000${signal.column}`;
    groups.set(key, [...(groups.get(key) ?? []), signal]);
  }
  if (groups.size === 0) {
    return '<p class="muted">No signal has a threshold to judge.</p>';
  }
  const lines = [...groups.values()].map((group) => {
    const failed = group.filter((s) => s.status === 'fail');
    const first = group[0] as Signal;
    const detail =
      failed.length > 0
        ? failed
            .map(
              (s) =>
                `${s.metric.replaceAll('_', ' ')} ${formatNumber(s.value)} (threshold ${formatNumber(s.threshold)})`,
            )
            .join('; ')
        : group.map((s) => `${s.metric.replaceAll('_', ' ')} ${formatNumber(s.value)}`).join('; ');
    const status = failed.length > 0 ? 'fail' : 'pass';
    return {
      status,
      html: `<li class="${status}"><span class="badge">${status === 'fail' ? '✗ fail' : '✓ pass'}</span> <strong>${KIND_TITLES[first.signal]}</strong> · ${escapeHtml(first.column)} — ${escapeHtml(detail)}</li>`,
    };
  });
  lines.sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1));
  return `<ul class="verdicts">${lines.map((line) => line.html).join('')}</ul>`;
}

async function columnArticle(
  column: ColumnReport,
  signals: readonly Signal[],
  windowOf: (day: string) => 'baseline' | 'target' | 'between',
): Promise<string> {
  const own = signals.filter((s) => s.column === column.column && s.signal === column.signal);
  const failed = own.some((s) => s.status === 'fail');
  const stats = column.stats;
  const row = (
    name: string,
    pick: (s: typeof stats.baseline) => number | null,
    format: (value: number | null) => string = formatNumber,
  ) =>
    `<tr><th>${name}</th><td>${format(pick(stats.baseline))}</td><td>${format(pick(stats.target))}</td></tr>`;
  const numericRows =
    column.kind === 'numeric'
      ? [
          row('mean', (s) => s.mean),
          row('std', (s) => s.std),
          row('min', (s) => s.min),
          row('q25', (s) => s.q25),
          row('median', (s) => s.median),
          row('q75', (s) => s.q75),
          row('max', (s) => s.max),
        ].join('')
      : '';
  const newCategories =
    column.newCategories.length > 0
      ? `<p>New in the target: ${column.newCategories.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ')}</p>`
      : '';
  const metrics = own
    .map((s) => `${s.metric.replaceAll('_', ' ')} ${formatNumber(s.value)}`)
    .join(' · ');
  return `<article class="column ${failed ? 'fail' : 'pass'}">
<h3>${escapeHtml(column.column)} <span class="muted">${KIND_TITLES[column.signal]}, ${column.kind}</span> <span class="badge">${failed ? '✗ fail' : '✓ pass'}</span></h3>
<p class="muted">${escapeHtml(metrics)}</p>
<div class="pair">${await figure(`distribution-${column.column}`, distributionSpec(column))}${
    column.daily.length > 0
      ? await figure(`daily-${column.column}`, dailyDriftSpec(column, windowOf))
      : ''
  }</div>
<table class="stats"><thead><tr><th></th><th>baseline</th><th>target</th></tr></thead><tbody>
${row(
  'rows',
  (s) => s.rows,
  (n) => String(n ?? 0),
)}${row('null rate', (s) => s.nullRate)}${numericRows}
</tbody></table>${newCategories}
</article>`;
}

function signalTable(signals: readonly Signal[]): string {
  const rows = signals
    .map(
      (s) =>
        `<tr class="${s.status === 'fail' ? 'fail' : ''}"><td>${KIND_TITLES[s.signal]}</td><td>${escapeHtml(s.column)}</td><td>${s.metric}</td><td>${formatNumber(s.baseline)}</td><td>${formatNumber(s.value)}</td><td>${formatNumber(s.threshold)}</td><td>${s.status}</td></tr>`,
    )
    .join('');
  return `<table class="signals"><thead><tr><th>signal</th><th>column</th><th>metric</th><th>baseline</th><th>value</th><th>threshold</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

async function figure(name: string, spec: Parameters<typeof renderChart>[0]): Promise<string> {
  return `<figure class="chart" data-chart="${escapeHtml(name)}">${await renderChart(spec)}</figure>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d1d1f; --muted: #666; --line: #e3e3e3;
  --fail: #c62828; --pass: #2e7d32; --card: #fafafa; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #141414; --fg: #e6e6e6; --muted: #a0a0a0; --line: #333; --fail: #ef5350;
    --pass: #66bb6a; --card: #1c1c1c; }
  .chart svg .role-axis-label text, .chart svg .role-axis-title text,
  .chart svg .role-legend-label text, .chart svg .role-legend-title text,
  .chart svg .role-title-text text { fill: #d0d0d0; }
  .chart svg .role-axis-grid line { stroke: #333; }
  .chart svg .role-axis-domain line, .chart svg .role-axis-tick line { stroke: #777; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1120px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 0 0 4px; }
.muted { color: var(--muted); }
.headline { font-size: 16px; font-weight: 600; }
.fail .badge, .headline.fail { color: var(--fail); } .pass .badge, .headline.pass { color: var(--pass); }
.swatch { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; border-radius: 2px; }
ul.verdicts { list-style: none; padding: 0; margin: 0; }
ul.verdicts li { padding: 4px 0; border-bottom: 1px solid var(--line); }
.badge { font-weight: 600; white-space: nowrap; }
article.column { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--pass);
  border-radius: 6px; padding: 12px 14px; margin: 12px 0; }
article.column.fail { border-left-color: var(--fail); }
.pair { display: flex; flex-wrap: wrap; gap: 8px; }
figure.chart { margin: 8px 0; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid var(--line); }
table.stats td { text-align: right; }
tr.fail td { color: var(--fail); }
code { font-size: 13px; }
footer { margin-top: 32px; font-size: 12px; }
`;
