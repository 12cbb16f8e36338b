import type { DuckDBConnection } from '@duckdb/node-api';
import { MdqError, UsageError } from '../errors.js';
import { quoteLiteral } from '../query/sql.js';
import { computeDrift, type DriftResult } from './drift.js';
import { buildFrame, relationExists } from './frame.js';
import { computePerformance } from './performance.js';
import { profileColumns } from './profile.js';
import { qualitySignals } from './quality.js';
import { readRows, text } from './read-rows.js';
import { severity, Thresholds } from './thresholds.js';
import { trafficPerDay } from './traffic.js';
import type { DayCount, PredictionMix, Report, Signal } from './types.js';
import {
  type BaselineSource,
  type DayRange,
  defaultBaseline,
  overlaps,
  parseBaseline,
} from './windows.js';

export interface ReportOptions {
  /** The web service to report on; may be omitted when the database holds only one. */
  service?: string;
  /** Default: the last day with inputs. */
  target?: DayRange;
  /** `A..B`, a CSV/Parquet file of training data, or a table name. Default: the 7 days before the target. */
  baseline?: string;
  /** Folder a relative baseline file is found from. */
  cwd: string;
  /** Threshold overrides (`metric` or `column:metric`), parsed by parseThresholds. */
  thresholds?: Record<string, number | null>;
  labelColumn?: string;
  predictionColumn?: string;
  task?: 'classification' | 'regression';
  signal?: AbortSignal;
}

/**
 * Builds the whole report: data drift and data quality of the inputs, prediction drift of the
 * predictions, model performance where labels joined, and the per-day series, every number
 * computed by DuckDB over the database. Reads only; never writes to the database.
 */
export async function buildReport(
  connection: DuckDBConnection,
  options: ReportOptions,
): Promise<Report> {
  const { signal } = options;
  if (!(await relationExists(connection, 'inputs', signal))) {
    throw new MdqError('report-empty', 'the database has no inputs table', {
      hint: 'run mdq pull first',
    });
  }
  const service = await resolveService(connection, options.service, signal);
  const target = options.target ?? (await lastDay(connection, service, signal));
  const baseline: BaselineSource = options.baseline
    ? parseBaseline(options.baseline, options.cwd)
    : { kind: 'range', range: defaultBaseline(target) };
  if (baseline.kind === 'range' && overlaps(baseline.range, target)) {
    throw new UsageError(
      `the baseline ${baseline.range.from}..${baseline.range.to} overlaps the target ${target.from}..${target.to}`,
      { hint: 'choose a baseline that ends before the target starts' },
    );
  }
  if (baseline.kind === 'table' && !(await relationExists(connection, baseline.name, signal))) {
    throw new UsageError(`--baseline ${baseline.name}: no such date range, file or table`, {
      hint: 'give a day range A..B, a CSV or Parquet file of training data, or a table name',
    });
  }
  const thresholds = new Thresholds(options.thresholds ?? {});
  const notes: string[] = [];
  const signals: Signal[] = [];

  const frameOptions = { service, target, baseline, ...(signal ? { signal } : {}) };
  const inputs = await buildFrame(connection, { ...frameOptions, table: 'inputs' });
  const inputColumns = inputs ? await profileColumns(connection, inputs, signal) : [];
  const windowRows = (w: 'baseline' | 'target') => inputColumns[0]?.[w].rows ?? 0;
  let dataDrift: DriftResult | undefined;
  if (inputs) {
    dataDrift = await computeDrift(connection, inputs, inputColumns, {
      signal: 'data_drift',
      thresholds,
      ...(signal ? { abort: signal } : {}),
    });
    signals.push(...dataDrift.signals, ...qualitySignals(inputColumns, dataDrift, thresholds));
    notes.push(...dataDrift.notes);
  }
  const predictions = await buildFrame(connection, { ...frameOptions, table: 'predictions' });
  let predictionDrift: DriftResult | undefined;
  if (predictions) {
    const predictionColumns = await profileColumns(connection, predictions, signal);
    predictionDrift = await computeDrift(connection, predictions, predictionColumns, {
      signal: 'prediction_drift',
      thresholds,
      ...(signal ? { abort: signal } : {}),
    });
    signals.push(...predictionDrift.signals);
    notes.push(...predictionDrift.notes);
  }
  const performance = await computePerformance(connection, {
    service,
    target,
    baseline: baseline.kind === 'range' ? baseline.range : null,
    thresholds,
    ...(options.labelColumn ? { labelColumn: options.labelColumn } : {}),
    ...(options.predictionColumn ? { predictionColumn: options.predictionColumn } : {}),
    ...(options.task ? { task: options.task } : {}),
    ...(signal ? { signal } : {}),
  });
  signals.push(...performance.signals);
  if (performance.note) {
    notes.push(performance.note);
  }
  if (windowRows('baseline') === 0) {
    notes.push('the baseline has no rows: drift and quality cannot be judged');
  }
  const windowOf = (day: string): DayCount['window'] =>
    day >= target.from && day <= target.to
      ? 'target'
      : baseline.kind === 'range' && day >= baseline.range.from && day <= baseline.range.to
        ? 'baseline'
        : 'between';
  const span = baseline.kind === 'range' ? { from: baseline.range.from, to: target.to } : target;
  return {
    service,
    baseline: {
      from: baseline.kind === 'range' ? baseline.range.from : null,
      to: baseline.kind === 'range' ? baseline.range.to : null,
      rows: windowRows('baseline'),
      source:
        baseline.kind === 'range'
          ? 'days'
          : baseline.kind === 'file'
            ? baseline.path
            : `table ${baseline.name}`,
    },
    target: { from: target.from, to: target.to, rows: windowRows('target') },
    signals: sortWorstFirst(signals),
    columns: [...(dataDrift?.columns ?? []), ...(predictionDrift?.columns ?? [])],
    traffic: await trafficPerDay(connection, service, span, windowOf, signal),
    predictionMix: predictionMix(predictionDrift, performance.report?.predictionColumn),
    performance: performance.report,
    notes,
    thresholds: thresholds.entries(),
  };
}

const STATUS_ORDER = { fail: 0, pass: 1, 'n/a': 2 } as const;

/** Failures first, each group by how far past (or short of) its threshold, then by name. */
export function sortWorstFirst(signals: readonly Signal[]): Signal[] {
  return [...signals].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      severity(b.metric, b.value, b.threshold) - severity(a.metric, a.value, a.threshold) ||
      a.signal.localeCompare(b.signal) ||
      a.column.localeCompare(b.column) ||
      a.metric.localeCompare(b.metric),
  );
}

async function resolveService(
  connection: DuckDBConnection,
  wanted: string | undefined,
  signal?: AbortSignal,
): Promise<string | null> {
  const services = (
    await readRows(connection, 'SELECT DISTINCT _service AS s FROM main.inputs ORDER BY 1', signal)
  ).map((row) => text(row.s));
  if (wanted !== undefined) {
    if (!services.includes(wanted)) {
      throw new UsageError(`--service ${wanted}: the database has no inputs of that service`, {
        hint: services.length > 0 ? `services: ${services.join(', ')}` : 'run mdq pull first',
      });
    }
    return wanted;
  }
  if (services.length > 1) {
    throw new UsageError(`the database holds several services (${services.join(', ')})`, {
      hint: 'choose one with --service',
    });
  }
  return services[0] ?? null;
}

async function lastDay(
  connection: DuckDBConnection,
  service: string | null,
  signal?: AbortSignal,
): Promise<DayRange> {
  const [row] = await readRows(
    connection,
    `SELECT CAST(max(_date) AS VARCHAR) AS day FROM main.inputs
      WHERE ${service === null ? 'TRUE' : `_service = ${quoteLiteral(service)}`}`,
    signal,
  );
  const day = row?.day;
  if (day === null || day === undefined) {
    throw new MdqError('report-empty', 'the database has no inputs rows to report on', {
      hint: 'run mdq pull first',
    });
  }
  return { from: String(day), to: String(day) };
}

/** The prediction mix per day of the categorical prediction column (the performance one first). */
function predictionMix(
  drift: DriftResult | undefined,
  preferred: string | undefined,
): PredictionMix | null {
  if (!drift || drift.categoryDays.size === 0) {
    return null;
  }
  const names = [...drift.categoryDays.keys()];
  const column =
    names.find((name) => name === preferred) ??
    names.find((name) => name.toLowerCase() === 'prediction') ??
    names[0] ??
    '';
  return { column, kind: 'categorical', days: drift.categoryDays.get(column) ?? [] };
}
