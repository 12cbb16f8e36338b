import type { DuckDBConnection } from '@duckdb/node-api';
import {
  chiSquaredPValue,
  jensenShannonDistance,
  normalizeWasserstein,
  populationStabilityIndex,
  wassersteinFromQuantiles,
} from './distances.js';
import {
  BINS,
  binLabel,
  type Cell,
  categoryCounts,
  exactDistances,
  histogramCounts,
  QUANTILE_GRID,
  quantiles,
} from './drift-sql.js';
import type { Frame } from './frame.js';
import { MAX_CATEGORIES, type ProfiledColumn, type WindowProfile } from './profile.js';
import { judge, type Thresholds } from './thresholds.js';
import type { ColumnReport, ColumnStats, DailyValue, DistributionBin, Signal } from './types.js';

/** Categories drawn in a distribution chart; the rest are summed into "(other)". */
const CHART_CATEGORIES = 12;

export interface DriftOptions {
  signal: 'data_drift' | 'prediction_drift';
  thresholds: Thresholds;
  abort?: AbortSignal;
}

export interface DriftResult {
  signals: Signal[];
  columns: ColumnReport[];
  /** Per column: target values outside the baseline's range or set (data quality). */
  outOfBounds: Map<string, { outside: number; of: number }>;
  /** Categorical value counts per target and baseline day (for the prediction mix). */
  categoryDays: Map<string, Array<{ day: string; value: string; count: number }>>;
  notes: string[];
}

/**
 * Drift of every numeric and categorical column of a frame between its two windows: the
 * window's metrics exactly, per-day drift for the chart, and the distributions side by side.
 */
export async function computeDrift(
  connection: DuckDBConnection,
  frame: Frame,
  columns: readonly ProfiledColumn[],
  options: DriftOptions,
): Promise<DriftResult> {
  const result: DriftResult = {
    signals: [],
    columns: [],
    outOfBounds: new Map(),
    categoryDays: new Map(),
    notes: [],
  };
  const comparable = columns.filter((c) => c.baseline.nonNull > 0 && c.target.nonNull > 0);
  for (const column of columns) {
    if (column.kind !== 'other' && !comparable.includes(column)) {
      const side = column.baseline.nonNull === 0 ? 'baseline' : 'target';
      result.notes.push(`${options.signal} ${column.name}: no values in the ${side}`);
    }
  }
  const numeric = comparable.filter((c) => c.kind === 'numeric');
  const categorical = comparable.filter((c) => {
    if (c.kind !== 'categorical') {
      return false;
    }
    if ((c.baseline.distinct ?? 0) > MAX_CATEGORIES) {
      result.notes.push(
        `${options.signal} ${c.name}: over ${MAX_CATEGORIES} distinct values, treated as an identifier (no drift)`,
      );
      return false;
    }
    return true;
  });
  const [bins, exact, quantileSets, categories] = [
    await histogramCounts(connection, frame, numeric, options.abort),
    await exactDistances(connection, frame, numeric, options.abort),
    await quantiles(connection, frame, numeric, options.abort),
    await categoryCounts(connection, frame, categorical, options.abort),
  ];
  for (const column of numeric) {
    const cells = bins.filter((cell) => cell.column === column.index);
    const keys = Array.from({ length: BINS + 2 }, (_, i) => i);
    const baseline = totals(cells, 0, keys);
    const target = totals(cells, 1, keys);
    const q = quantileSets.get(column.index);
    const baselineQuantiles = q?.windows.get(0)?.slice(0, QUANTILE_GRID.length) ?? [];
    const std = column.baseline.std;
    const distances = exact.get(column.index);
    const nwd = normalizeWasserstein(distances?.w1 ?? null, std);
    const metrics: Array<[string, number | null, number | null, number | null]> = [
      ['normalized_wasserstein_distance', nwd, column.baseline.mean, column.target.mean],
      ['jensen_shannon_distance', jensenShannonDistance(baseline, target), null, null],
      ['population_stability_index', populationStabilityIndex(baseline, target), null, null],
      ['kolmogorov_smirnov_statistic', distances?.ks ?? null, null, null],
    ];
    pushSignals(result, options, column, metrics);
    const daily: DailyValue[] = [...(q?.days ?? new Map<string, number[]>())]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, values]) => ({
        day,
        value: normalizeWasserstein(
          wassersteinFromQuantiles(baselineQuantiles, values.slice(0, QUANTILE_GRID.length)),
          std,
        ),
      }));
    result.outOfBounds.set(column.name, {
      outside: (target[0] ?? 0) + (target[BINS + 1] ?? 0),
      of: column.target.numbers,
    });
    result.columns.push({
      signal: options.signal,
      column: column.name,
      kind: 'numeric',
      metric: 'normalized_wasserstein_distance',
      threshold: options.thresholds.for('normalized_wasserstein_distance', column.name, 'numeric'),
      daily,
      distribution: distribution(
        keys.map((key) => ({ label: binLabel(column, key), order: key })),
        baseline,
        target,
      ).filter((bin) => bin.baseline > 0 || bin.target > 0 || (bin.order > 0 && bin.order <= BINS)),
      newCategories: [],
      stats: {
        baseline: stats(column.baseline, q?.windows.get(0)),
        target: stats(column.target, q?.windows.get(1)),
      },
    });
  }
  for (const column of categorical) {
    const cells = categories.filter((cell) => cell.column === column.index);
    const keys = [...new Set(cells.map((cell) => cell.key))].sort();
    const baseline = totals(cells, 0, keys);
    const target = totals(cells, 1, keys);
    const unseen = keys.filter((_, i) => (baseline[i] ?? 0) === 0);
    pushSignals(result, options, column, [
      ['jensen_shannon_distance', jensenShannonDistance(baseline, target), null, null],
      ['population_stability_index', populationStabilityIndex(baseline, target), null, null],
      ['chi_squared_p_value', chiSquaredPValue(baseline, target), null, null],
    ]);
    const byDay = new Map<string, number[]>();
    for (const cell of cells) {
      if (cell.day === null) {
        continue;
      }
      const list = byDay.get(cell.day) ?? keys.map(() => 0);
      const at = keys.indexOf(cell.key);
      list[at] = (list[at] ?? 0) + cell.n;
      byDay.set(cell.day, list);
    }
    result.categoryDays.set(
      column.name,
      cells
        .filter((cell) => cell.day !== null)
        .map((cell) => ({ day: cell.day ?? '', value: cell.key, count: cell.n })),
    );
    result.outOfBounds.set(column.name, {
      outside: unseen.reduce((sum, key) => sum + (target[keys.indexOf(key)] ?? 0), 0),
      of: column.target.nonNull,
    });
    const ranked = keys
      .map((key, i) => ({ key, weight: share(baseline, i) + share(target, i) }))
      .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
    const shown = ranked.slice(0, CHART_CATEGORIES).map((entry) => entry.key);
    const other = keys.filter((key) => !shown.includes(key));
    const sumOf = (counts: number[], picked: string[]) =>
      picked.reduce((sum, key) => sum + (counts[keys.indexOf(key)] ?? 0), 0);
    const labels = [...shown, ...(other.length > 0 ? ['(other)'] : [])];
    const pick = (counts: number[]) => [
      ...shown.map((key) => counts[keys.indexOf(key)] ?? 0),
      ...(other.length > 0 ? [sumOf(counts, other)] : []),
    ];
    result.columns.push({
      signal: options.signal,
      column: column.name,
      kind: 'categorical',
      metric: 'jensen_shannon_distance',
      threshold: options.thresholds.for('jensen_shannon_distance', column.name, 'categorical'),
      daily: [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, counts]) => ({ day, value: jensenShannonDistance(baseline, counts) })),
      distribution: distribution(
        labels.map((label, order) => ({ label, order })),
        pick(baseline),
        pick(target),
      ),
      newCategories: unseen.slice(0, 20),
      stats: { baseline: counts(column.baseline), target: counts(column.target) },
    });
  }
  return result;
}

function pushSignals(
  result: DriftResult,
  options: DriftOptions,
  column: ProfiledColumn,
  metrics: ReadonlyArray<[string, number | null, number | null, number | null]>,
): void {
  const kind = column.kind === 'numeric' ? 'numeric' : 'categorical';
  for (const [metric, value, baseline, target] of metrics) {
    const threshold = options.thresholds.for(metric, column.name, kind);
    result.signals.push({
      signal: options.signal,
      column: column.name,
      metric,
      value,
      threshold,
      status: judge(metric, value, threshold),
      baseline,
      target,
    });
  }
}

/** Counts of window `w` summed over its days, in the order of `keys`. */
function totals<K>(cells: readonly Cell<K>[], w: number, keys: readonly K[]): number[] {
  const index = new Map(keys.map((key, i) => [key, i]));
  const sums = keys.map(() => 0);
  for (const cell of cells) {
    const at = index.get(cell.key);
    if (cell.w === w && at !== undefined) {
      sums[at] = (sums[at] ?? 0) + cell.n;
    }
  }
  return sums;
}

function share(counts: readonly number[], i: number): number {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return total > 0 ? (counts[i] ?? 0) / total : 0;
}

function distribution(
  bins: ReadonlyArray<{ label: string; order: number }>,
  baseline: readonly number[],
  target: readonly number[],
): DistributionBin[] {
  return bins.map((bin, i) => ({
    ...bin,
    baseline: share(baseline, i),
    target: share(target, i),
  }));
}

function stats(profile: WindowProfile, quantileList?: readonly number[]): ColumnStats {
  const at = (k: number) => {
    const value = quantileList?.[QUANTILE_GRID.length + k];
    return value === undefined || Number.isNaN(value) ? null : value;
  };
  return {
    rows: profile.rows,
    nullRate: profile.rows > 0 ? 1 - profile.nonNull / profile.rows : null,
    mean: profile.mean,
    std: profile.std,
    min: profile.min,
    q25: at(0),
    median: at(1),
    q75: at(2),
    max: profile.max,
  };
}

/** A categorical column's stats: its rows and null rate only (no numbers to summarise). */
function counts(profile: WindowProfile): ColumnStats {
  return {
    ...stats(profile),
    mean: null,
    std: null,
    min: null,
    max: null,
  };
}
