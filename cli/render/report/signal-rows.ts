import type { Cell, ResultColumn } from '../../../src/query/run.js';
import type { Report, Signal } from '../../../src/report/types.js';

/** The summary table's columns, as the issue lists them. */
export const SIGNAL_COLUMNS: readonly ResultColumn[] = [
  { name: 'signal', type: 'VARCHAR', kind: 'text' },
  { name: 'column', type: 'VARCHAR', kind: 'text' },
  { name: 'metric', type: 'VARCHAR', kind: 'text' },
  { name: 'baseline', type: 'DOUBLE', kind: 'number' },
  { name: 'target', type: 'DOUBLE', kind: 'number' },
  { name: 'value', type: 'DOUBLE', kind: 'number' },
  { name: 'threshold', type: 'DOUBLE', kind: 'number' },
  { name: 'status', type: 'VARCHAR', kind: 'text' },
];

/** A measure for people: 4 significant digits, no exponent for ordinary sizes. */
export function formatNumber(value: number | null): string {
  if (value === null) {
    return '—';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(4)));
}

export function signalRow(signal: Signal): Cell[] {
  return [
    signal.signal,
    signal.column,
    signal.metric,
    formatNumber(signal.baseline),
    formatNumber(signal.target ?? (signal.baseline === null ? null : signal.value)),
    formatNumber(signal.value),
    formatNumber(signal.threshold),
    signal.status,
  ];
}

/** One line each: the windows compared and how many signals failed. */
export function reportHeadline(report: Report): string[] {
  const failed = report.signals.filter((s) => s.status === 'fail');
  const baseline =
    report.baseline.from === null
      ? report.baseline.source
      : `${report.baseline.from}..${report.baseline.to}`;
  return [
    `${report.service ?? 'all services'}: target ${report.target.from}..${report.target.to} (${report.target.rows} rows) vs baseline ${baseline} (${report.baseline.rows} rows)`,
    failed.length === 0
      ? `all ${report.signals.filter((s) => s.status === 'pass').length} judged signals pass`
      : `${failed.length} signal(s) failed: ${[...new Set(failed.map((s) => `${s.signal} ${s.column}`))].slice(0, 8).join(', ')}`,
  ];
}

/** The JSON document, exactly the issue's shape (no other keys). */
export function reportJson(report: Report): string {
  return `${JSON.stringify(
    {
      baseline: { from: report.baseline.from, to: report.baseline.to, rows: report.baseline.rows },
      target: { from: report.target.from, to: report.target.to, rows: report.target.rows },
      signals: report.signals.map((s) => ({
        signal: s.signal,
        column: s.column,
        metric: s.metric,
        value: s.value,
        threshold: s.threshold,
        status: s.status,
      })),
    },
    null,
    2,
  )}\n`;
}
