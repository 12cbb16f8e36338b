/**
 * What `mdq report` computes: the signals (one row per column and metric, judged against a
 * threshold) and the per-day series the page draws. JSON-safe; cli/render formats it.
 */
export type SignalKind = 'data_drift' | 'prediction_drift' | 'data_quality' | 'performance';
export type SignalStatus = 'pass' | 'fail' | 'n/a';

export interface Signal {
  signal: SignalKind;
  column: string;
  metric: string;
  /** The metric over the target window (NULL when it cannot be computed). */
  value: number | null;
  /** NULL when the metric has no threshold: then it is shown, not judged (status n/a). */
  threshold: number | null;
  status: SignalStatus;
  /** For the table: the same measure over the baseline (a mean, a rate), when it has one. */
  baseline: number | null;
  /** For the table: the same measure over the target, when it differs from `value`. */
  target: number | null;
}

export interface Window {
  from: string | null;
  to: string | null;
  rows: number;
}

export interface DayCount {
  day: string;
  window: 'baseline' | 'target' | 'between';
  requests: number;
  rows: number;
}

/** One bar of a distribution: a numeric bin or a category, with each window's share. */
export interface DistributionBin {
  label: string;
  /** Sort key: bin order, or the category's rank. */
  order: number;
  baseline: number;
  target: number;
}

export interface DailyValue {
  day: string;
  value: number | null;
}

export interface ColumnReport {
  signal: 'data_drift' | 'prediction_drift';
  column: string;
  kind: 'numeric' | 'categorical';
  /** The metric the verdict uses, and its per-day values (estimates for numeric columns). */
  metric: string;
  threshold: number | null;
  daily: DailyValue[];
  distribution: DistributionBin[];
  /** Categories seen in the target but never in the baseline (first 20). */
  newCategories: string[];
  stats: {
    baseline: ColumnStats;
    target: ColumnStats;
  };
}

export interface ColumnStats {
  rows: number;
  nullRate: number | null;
  mean: number | null;
  std: number | null;
  min: number | null;
  q25: number | null;
  median: number | null;
  q75: number | null;
  max: number | null;
}

export interface PredictionMix {
  column: string;
  kind: 'numeric' | 'categorical';
  /** Categorical: count per day and value; numeric: the mean per day under value '(mean)'. */
  days: Array<{ day: string; value: string; count: number }>;
}

export interface PerformanceReport {
  task: 'classification' | 'regression';
  labelColumn: string;
  predictionColumn: string;
  labeledRows: number;
  daily: Array<{ day: string; metric: string; value: number | null }>;
}

export interface Report {
  service: string | null;
  baseline: Window & { source: string };
  target: Window;
  signals: Signal[];
  columns: ColumnReport[];
  traffic: DayCount[];
  predictionMix: PredictionMix | null;
  performance: PerformanceReport | null;
  /** What could not be computed, and why, in one line each. */
  notes: string[];
  /** Every threshold in force, by key (`metric` or `column:metric`). */
  thresholds: Record<string, number | null>;
}
