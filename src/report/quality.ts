import type { DriftResult } from './drift.js';
import type { ProfiledColumn } from './profile.js';
import { judge, type Thresholds } from './thresholds.js';
import type { Signal } from './types.js';

/**
 * Data quality of the inputs, Azure ML's three rates plus schema changes:
 * - null_value_rate: the target's share of NULLs. It fails above the threshold and above the
 *   baseline's own rate (the threshold shown is the larger), so a column that was always
 *   partly empty fails only when it gets worse;
 * - data_type_error_rate: for text columns whose baseline values are all numbers, the target's
 *   share of values that are not (a number column that started receiving text);
 * - out_of_bounds_rate: the target's share of values outside the baseline's [min, max], or of
 *   categories the baseline never had;
 * - column_added / column_missing: a column with values in only one of the windows.
 */
export function qualitySignals(
  columns: readonly ProfiledColumn[],
  drift: DriftResult,
  thresholds: Thresholds,
): Signal[] {
  const signals: Signal[] = [];
  const push = (
    column: string,
    metric: string,
    value: number | null,
    threshold: number | null,
    baseline: number | null = null,
  ) =>
    signals.push({
      signal: 'data_quality',
      column,
      metric,
      value,
      threshold,
      status: judge(metric, value, threshold),
      baseline,
      target: null,
    });
  for (const column of columns) {
    const { baseline, target, name } = column;
    if (target.rows === 0) {
      continue;
    }
    const baselineNulls = baseline.rows > 0 ? 1 - baseline.nonNull / baseline.rows : null;
    const configured = thresholds.for('null_value_rate', name);
    push(
      name,
      'null_value_rate',
      1 - target.nonNull / target.rows,
      configured === null ? null : Math.max(configured, baselineNulls ?? 0),
      baselineNulls,
    );
    if (baseline.nonNull === 0 && target.nonNull > 0) {
      push(name, 'column_added', 1, thresholds.for('column_added', name));
      continue;
    }
    if (baseline.nonNull > 0 && target.nonNull === 0) {
      push(name, 'column_missing', 1, thresholds.for('column_missing', name));
      continue;
    }
    if (column.kind === 'other') {
      continue;
    }
    const typeErrors = column.textNumeric ? target.nonNull - target.numbers : 0;
    push(
      name,
      'data_type_error_rate',
      target.nonNull > 0 ? typeErrors / target.nonNull : null,
      thresholds.for('data_type_error_rate', name),
    );
    const bounds = drift.outOfBounds.get(name);
    if (bounds) {
      push(
        name,
        'out_of_bounds_rate',
        bounds.of > 0 ? bounds.outside / bounds.of : null,
        thresholds.for('out_of_bounds_rate', name),
      );
    }
  }
  return signals;
}
