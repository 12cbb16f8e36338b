import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../query/sql.js';
import { count, num, readRows, text } from './read-rows.js';
import { resolveScoredColumns } from './scored-columns.js';
import { judge, type Thresholds } from './thresholds.js';
import type { PerformanceReport, Signal } from './types.js';
import type { DayRange } from './windows.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U.*INT|FLOAT|DOUBLE|DECIMAL.*)$/;
/** A numeric label with at most this many distinct whole values is a class, not a quantity. */
const MAX_NUMERIC_CLASSES = 20;

export interface PerformanceOptions {
  service: string | null;
  target: DayRange;
  /** Absent for a file or table baseline: performance is then judged on the target alone. */
  baseline: DayRange | null;
  labelColumn?: string;
  predictionColumn?: string;
  task?: 'classification' | 'regression';
  thresholds: Thresholds;
  signal?: AbortSignal;
}

export interface PerformanceResult {
  signals: Signal[];
  report: PerformanceReport | null;
  note?: string;
}

/**
 * Model performance where ground truth joined (`scored` rows with `_labeled`), Azure ML's
 * metrics: accuracy, precision, recall (and F1), macro-averaged and per class, for a
 * classifier; MAE and RMSE for a regressor. Per window and per day, all counted in DuckDB.
 */
export async function computePerformance(
  connection: DuckDBConnection,
  options: PerformanceOptions,
): Promise<PerformanceResult> {
  const columns = await resolveScoredColumns(
    connection,
    {
      ...(options.labelColumn ? { label: options.labelColumn } : {}),
      ...(options.predictionColumn ? { prediction: options.predictionColumn } : {}),
    },
    options.signal,
  );
  if (typeof columns === 'string') {
    return { signals: [], report: null, note: `performance: ${columns}` };
  }
  const label = quoteIdentifier(columns.label);
  const prediction = quoteIdentifier(columns.prediction);
  const bothNumeric =
    NUMERIC.test(columns.types.get(columns.label) ?? '') &&
    NUMERIC.test(columns.types.get(columns.prediction) ?? '');
  const inRange = (range: DayRange) =>
    `_date BETWEEN DATE ${quoteLiteral(range.from)} AND DATE ${quoteLiteral(range.to)}`;
  const windows = options.baseline
    ? `(${inRange(options.target)} OR ${inRange(options.baseline)})`
    : inRange(options.target);
  const rows = `SELECT CASE WHEN ${inRange(options.target)} THEN 1 ELSE 0 END AS _w, _date AS _day,
      ${label} AS _label, ${prediction} AS _prediction
    FROM main.scored WHERE _labeled AND ${label} IS NOT NULL AND ${prediction} IS NOT NULL
      AND ${options.service === null ? 'TRUE' : `_service = ${quoteLiteral(options.service)}`}
      AND ${windows}`;
  const task = options.task ?? (await guessTask(connection, rows, bothNumeric, options.signal));
  const result =
    task === 'classification'
      ? await classification(connection, rows, bothNumeric, columns.label, options)
      : await regression(connection, rows, columns.label, options);
  return {
    signals: result.signals,
    report: {
      task,
      labelColumn: columns.label,
      predictionColumn: columns.prediction,
      labeledRows: result.labeledRows,
      daily: result.daily,
    },
  };
}

async function guessTask(
  connection: DuckDBConnection,
  rows: string,
  bothNumeric: boolean,
  signal?: AbortSignal,
): Promise<'classification' | 'regression'> {
  if (!bothNumeric) {
    return 'classification';
  }
  const [row] = await readRows(
    connection,
    `SELECT count(DISTINCT _label) AS classes,
        bool_and(CAST(_label AS DOUBLE) = round(CAST(_label AS DOUBLE))) AS whole FROM (${rows})`,
    signal,
  );
  return row?.whole === true && count(row.classes) <= MAX_NUMERIC_CLASSES
    ? 'classification'
    : 'regression';
}

interface Computed {
  signals: Signal[];
  labeledRows: number;
  daily: PerformanceReport['daily'];
}

/** Confusion counts per window and day; the metrics follow from those few numbers. */
async function classification(
  connection: DuckDBConnection,
  rows: string,
  bothNumeric: boolean,
  labelColumn: string,
  options: PerformanceOptions,
): Promise<Computed> {
  // Numbers compare as numbers (1 and 1.0 are one class); anything else as text.
  const key = (c: string) =>
    bothNumeric ? `CAST(CAST(${c} AS DOUBLE) AS VARCHAR)` : `CAST(${c} AS VARCHAR)`;
  const cells = await readRows(
    connection,
    `SELECT _w, _day, ${key('_label')} AS actual, ${key('_prediction')} AS predicted, count(*) AS n
      FROM (${rows}) GROUP BY ALL`,
    options.signal,
  );
  const confusion = (filter: (row: (typeof cells)[number]) => boolean) =>
    cells.filter(filter).map((row) => ({
      actual: text(row.actual),
      predicted: text(row.predicted),
      n: count(row.n),
    }));
  const target = classificationMetrics(confusion((row) => count(row._w) === 1));
  const baseline = classificationMetrics(confusion((row) => count(row._w) === 0));
  const signals: Signal[] = [];
  const push = (column: string, metric: string, value: number | null, base: number | null) => {
    const threshold = options.thresholds.for(metric, column);
    signals.push({
      signal: 'performance',
      column,
      metric,
      value,
      threshold,
      status: judge(metric, value, threshold),
      baseline: base,
      target: null,
    });
  };
  for (const metric of ['accuracy', 'precision', 'recall', 'f1'] as const) {
    push(labelColumn, metric, target.overall[metric], baseline.overall[metric]);
  }
  for (const [cls, metrics] of target.classes) {
    for (const metric of ['precision', 'recall', 'f1'] as const) {
      push(
        `${labelColumn}=${cls}`,
        `class_${metric}`,
        metrics[metric],
        baseline.classes.get(cls)?.[metric] ?? null,
      );
    }
  }
  const days = [...new Set(cells.map((row) => text(row._day)))].sort();
  const daily = days.flatMap((day) => {
    const metrics = classificationMetrics(confusion((row) => text(row._day) === day));
    return (['accuracy', 'precision', 'recall', 'f1'] as const).map((metric) => ({
      day,
      metric,
      value: metrics.overall[metric],
    }));
  });
  return { signals, labeledRows: cells.reduce((sum, row) => sum + count(row.n), 0), daily };
}

interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Accuracy and macro-averaged precision, recall and F1 over every class seen as a label or a
 * prediction (a class never predicted has precision 0, as scikit-learn's zero_division=0).
 */
export function classificationMetrics(
  confusion: ReadonlyArray<{ actual: string; predicted: string; n: number }>,
): {
  overall: Record<'accuracy' | keyof ClassMetrics, number | null>;
  classes: Map<string, ClassMetrics>;
} {
  const total = confusion.reduce((sum, cell) => sum + cell.n, 0);
  const classes = new Map<string, ClassMetrics>();
  if (total === 0) {
    return {
      overall: { accuracy: null, precision: null, recall: null, f1: null },
      classes,
    };
  }
  const names = [...new Set(confusion.flatMap((cell) => [cell.actual, cell.predicted]))].sort();
  let correct = 0;
  for (const cell of confusion) {
    if (cell.actual === cell.predicted) {
      correct += cell.n;
    }
  }
  for (const name of names) {
    const sum = (match: (cell: (typeof confusion)[number]) => boolean) =>
      confusion.filter(match).reduce((s, cell) => s + cell.n, 0);
    const tp = sum((cell) => cell.actual === name && cell.predicted === name);
    const predicted = sum((cell) => cell.predicted === name);
    const actual = sum((cell) => cell.actual === name);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    classes.set(name, { precision, recall, f1 });
  }
  const mean = (pick: (m: ClassMetrics) => number) =>
    [...classes.values()].reduce((sum, m) => sum + pick(m), 0) / classes.size;
  return {
    overall: {
      accuracy: correct / total,
      precision: mean((m) => m.precision),
      recall: mean((m) => m.recall),
      f1: mean((m) => m.f1),
    },
    classes,
  };
}

/** MAE and RMSE per window and per day, aggregated by DuckDB. */
async function regression(
  connection: DuckDBConnection,
  rows: string,
  labelColumn: string,
  options: PerformanceOptions,
): Promise<Computed> {
  const result = await readRows(
    connection,
    `SELECT _w, _day, GROUPING(_day) AS _all, count(*) AS n,
        avg(abs(CAST(_prediction AS DOUBLE) - CAST(_label AS DOUBLE))) AS mae,
        sqrt(avg((CAST(_prediction AS DOUBLE) - CAST(_label AS DOUBLE)) ** 2)) AS rmse
      FROM (${rows}) GROUP BY GROUPING SETS ((_w), (_w, _day))`,
    options.signal,
  );
  const windowRow = (w: number) =>
    result.find((row) => count(row._w) === w && count(row._all) === 1);
  const signals: Signal[] = (['mae', 'rmse'] as const).map((metric) => {
    const value = num(windowRow(1)?.[metric]);
    const threshold = options.thresholds.for(metric, labelColumn);
    return {
      signal: 'performance',
      column: labelColumn,
      metric,
      value,
      threshold,
      status: judge(metric, value, threshold),
      baseline: num(windowRow(0)?.[metric]),
      target: null,
    };
  });
  const daily = result
    .filter((row) => count(row._all) === 0)
    .flatMap((row) =>
      (['mae', 'rmse'] as const).map((metric) => ({
        day: text(row._day),
        metric,
        value: num(row[metric]),
      })),
    )
    .sort((a, b) => a.day.localeCompare(b.day) || a.metric.localeCompare(b.metric));
  const labeledRows = count(windowRow(0)?.n) + count(windowRow(1)?.n);
  return { signals, labeledRows, daily };
}
