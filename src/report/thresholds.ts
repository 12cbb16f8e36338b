import { UsageError } from '../errors.js';
import type { SignalStatus } from './types.js';

/**
 * Defaults as Azure Machine Learning model monitoring sets them (azure-ai-ml's
 * `NumericalDriftMetrics`, `CategoricalDriftMetrics` and `DataQualityMetrics*` defaults, and the
 * documented performance example): a numeric column drifts when its normalized Wasserstein
 * distance exceeds 0.1, a categorical one when its Jensen–Shannon distance does; any null,
 * type error or out-of-bounds value in the target is a data quality failure; a classifier
 * fails below 0.5 accuracy, precision or recall. The other metrics are shown, and judged only
 * when given a threshold.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, number | null>> = {
  'numeric:normalized_wasserstein_distance': 0.1,
  'categorical:jensen_shannon_distance': 0.1,
  null_value_rate: 0,
  data_type_error_rate: 0,
  out_of_bounds_rate: 0,
  column_added: 0,
  column_missing: 0,
  accuracy: 0.5,
  precision: 0.5,
  recall: 0.5,
};

/** Metrics where a lower value is worse (scores, p-values); every other fails above its threshold. */
const LOWER_IS_WORSE_METRICS = [
  'chi_squared_p_value',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'class_precision',
  'class_recall',
  'class_f1',
] as const;

/** Every metric mdq reports, for validating `--threshold` names. */
export const METRICS = [
  'jensen_shannon_distance',
  'normalized_wasserstein_distance',
  'population_stability_index',
  'kolmogorov_smirnov_statistic',
  'null_value_rate',
  'data_type_error_rate',
  'out_of_bounds_rate',
  'column_added',
  'column_missing',
  'mae',
  'rmse',
  ...LOWER_IS_WORSE_METRICS,
] as const;

const LOWER_IS_WORSE: ReadonlySet<string> = new Set(LOWER_IS_WORSE_METRICS);

/**
 * Thresholds in force: the defaults overlaid with the user's, each keyed `metric` (all columns)
 * or `column:metric` (one column). `null` switches a default off.
 */
export class Thresholds {
  readonly #entries: Map<string, number | null>;

  constructor(overrides: Readonly<Record<string, number | null>> = {}) {
    this.#entries = new Map(Object.entries(DEFAULT_THRESHOLDS));
    for (const [key, value] of Object.entries(overrides)) {
      // A plain metric name replaces the kind-specific defaults of that metric too.
      for (const kind of ['numeric', 'categorical']) {
        if (this.#entries.has(`${kind}:${key}`)) {
          this.#entries.delete(`${kind}:${key}`);
        }
      }
      this.#entries.set(key, value);
    }
  }

  /** The threshold for `metric` on `column` (of `kind`), most specific key first. */
  for(metric: string, column: string, kind?: 'numeric' | 'categorical'): number | null {
    for (const key of [`${column}:${metric}`, metric, kind ? `${kind}:${metric}` : '']) {
      if (this.#entries.has(key)) {
        return this.#entries.get(key) ?? null;
      }
    }
    return null;
  }

  entries(): Record<string, number | null> {
    return Object.fromEntries(this.#entries);
  }
}

/** pass / fail / n/a for a value against its threshold (n/a when either is missing). */
export function judge(
  metric: string,
  value: number | null,
  threshold: number | null,
): SignalStatus {
  if (value === null || threshold === null || !Number.isFinite(value)) {
    return 'n/a';
  }
  const failed = LOWER_IS_WORSE.has(metric) ? value < threshold : value > threshold;
  return failed ? 'fail' : 'pass';
}

/** How far past its threshold a value is (> 1 failed), for ordering worst first. */
export function severity(metric: string, value: number | null, threshold: number | null): number {
  if (value === null || threshold === null) {
    return 0;
  }
  const scale = Math.max(Math.abs(threshold), 1e-9);
  return LOWER_IS_WORSE.has(metric) ? (threshold - value) / scale : (value - threshold) / scale;
}

/**
 * Parses `--threshold name=value` entries and a JSON config's `thresholds` object. `name` is a
 * metric or `column:metric`; `value` a number, or `none` to switch a default off.
 */
export function parseThresholds(
  entries: readonly string[],
  config: Readonly<Record<string, unknown>> = {},
): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  for (const [key, raw] of Object.entries(config)) {
    result[checkedKey(key, 'the config file')] = checkedValue(raw, key, 'the config file');
  }
  for (const entry of entries) {
    const split = entry.lastIndexOf('=');
    if (split <= 0) {
      throw new UsageError(`--threshold ${entry}: expected name=value`, {
        hint: 'e.g. --threshold normalized_wasserstein_distance=0.2 or --threshold age:null_value_rate=0.05',
      });
    }
    const key = checkedKey(entry.slice(0, split), '--threshold');
    const text = entry.slice(split + 1).trim();
    result[key] = checkedValue(text === 'none' ? null : Number(text), key, '--threshold');
  }
  return result;
}

function checkedKey(key: string, where: string): string {
  const metric = key.slice(key.lastIndexOf(':') + 1);
  if (!(METRICS as readonly string[]).includes(metric)) {
    throw new UsageError(`${where}: unknown metric ${JSON.stringify(metric)}`, {
      hint: `metrics: ${METRICS.join(', ')}`,
    });
  }
  return key;
}

function checkedValue(value: unknown, key: string, where: string): number | null {
  if (value === null) {
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UsageError(`${where}: ${key} needs a number (or none), got ${String(value)}`);
  }
  return value;
}
