import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Database, openDatabase } from '../../src/query/database.js';
import { buildReport } from '../../src/report/build-report.js';
import { parseThresholds } from '../../src/report/thresholds.js';
import type { Report, Signal } from '../../src/report/types.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Small windows whose metrics are worked out by hand in the comments, in a real DuckDB file
 * shaped like a pulled database (an `inputs` table with system and data columns).
 * Baseline 2024-01-01..01-07: x = 1, 2, 3, 4; c = a, a, b, b; t = '1', '2', '3', '4'.
 * Target 2024-01-08:          x = 2, 3, 4, 5; c = a, b, c, c; t = '2', 'x', '4', '5'.
 */
let db: Database;
let cleanup: () => Promise<void>;
let report: Report;

beforeAll(async () => {
  const dir = await makeTmpDir('mdq-report-metrics-');
  cleanup = dir.cleanup;
  db = await openDatabase(join(dir.path, 'mdq.duckdb'));
  await db.connection.run(`CREATE TABLE inputs AS SELECT * FROM (VALUES
    ('svc', DATE '2024-01-01', 0, 'r1', 1.0, 'a', '1'),
    ('svc', DATE '2024-01-02', 0, 'r2', 2.0, 'a', '2'),
    ('svc', DATE '2024-01-03', 0, 'r3', 3.0, 'b', '3'),
    ('svc', DATE '2024-01-05', 0, 'r4', 4.0, 'b', '4'),
    ('svc', DATE '2024-01-08', 0, 'r5', 2.0, 'a', '2'),
    ('svc', DATE '2024-01-08', 1, 'r5', 3.0, 'b', 'x'),
    ('svc', DATE '2024-01-08', 0, 'r6', 4.0, 'c', '4'),
    ('svc', DATE '2024-01-08', 0, 'r7', 5.0, 'c', '5')
  ) AS v(_service, _date, _row, _correlation_id, x, c, t)`);
  report = await buildReport(db.connection, { cwd: dir.path });
});

afterAll(async () => {
  db.close();
  await cleanup();
});

function signal(column: string, metric: string, kind = 'data_drift'): Signal | undefined {
  return report.signals.find(
    (s) => s.signal === kind && s.column === column && s.metric === metric,
  );
}

describe('numeric drift, x', () => {
  test('the windows default to the last day and the 7 days before it', () => {
    expect(report.target).toEqual({ from: '2024-01-08', to: '2024-01-08', rows: 4 });
    expect(report.baseline).toMatchObject({ from: '2024-01-01', to: '2024-01-07', rows: 4 });
  });

  test('Kolmogorov–Smirnov: the CDFs differ by at most 1/4', () => {
    expect(signal('x', 'kolmogorov_smirnov_statistic')?.value).toBeCloseTo(0.25, 12);
  });

  test('Wasserstein: every value moved by 1, over the baseline std sqrt(5/3)', () => {
    const nwd = signal('x', 'normalized_wasserstein_distance');
    expect(nwd?.value).toBeCloseTo(1 / Math.sqrt(5 / 3), 12);
    expect(nwd).toMatchObject({ threshold: 0.1, status: 'fail', baseline: 2.5, target: 3.5 });
  });

  test('Jensen–Shannon over the baseline bins: one bin of 1/4 each side unmatched', () => {
    // Shares: baseline bins {1, 7, 14, 20}, target {7, 14, 20, above}: the divergence is
    // 1/2·(1/4·log2 2) + 1/2·(1/4·log2 2) = 1/4, the distance its square root.
    expect(signal('x', 'jensen_shannon_distance')?.value).toBeCloseTo(0.5, 12);
  });

  test('PSI: the two unmatched bins, each 1/4 against an empty share of 1e-4', () => {
    expect(signal('x', 'population_stability_index')?.value).toBeCloseTo(
      2 * (0.25 - 1e-4) * Math.log(0.25 / 1e-4),
      10,
    );
  });

  test('out of bounds: 5 is above the baseline maximum 4', () => {
    expect(signal('x', 'out_of_bounds_rate', 'data_quality')).toMatchObject({
      value: 0.25,
      status: 'fail',
    });
  });
});

describe('categorical drift, c', () => {
  test('Jensen–Shannon: p = (1/2, 1/2, 0), q = (1/4, 1/4, 1/2)', () => {
    const klP = Math.log2(0.5 / 0.375);
    const klQ = 0.5 * Math.log2(0.25 / 0.375) + 0.5 * Math.log2(0.5 / 0.25);
    expect(signal('c', 'jensen_shannon_distance')).toMatchObject({
      threshold: 0.1,
      status: 'fail',
    });
    expect(signal('c', 'jensen_shannon_distance')?.value).toBeCloseTo(
      Math.sqrt((klP + klQ) / 2),
      12,
    );
  });

  test('chi-squared: 2 × 3 table, statistic 8/3, 2 degrees of freedom: p = e^(-4/3)', () => {
    const chi = signal('c', 'chi_squared_p_value');
    expect(chi?.value).toBeCloseTo(Math.exp(-4 / 3), 10);
    expect(chi?.status).toBe('n/a');
  });

  test('PSI with the unseen category at 1e-4', () => {
    expect(signal('c', 'population_stability_index')?.value).toBeCloseTo(
      2 * (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4),
      10,
    );
  });

  test('out of bounds: c was never in the baseline, 2 of 4 values', () => {
    expect(signal('c', 'out_of_bounds_rate', 'data_quality')?.value).toBe(0.5);
    expect(report.columns.find((column) => column.column === 'c')?.newCategories).toEqual(['c']);
  });
});

describe('data quality', () => {
  test('a number column that received text: one type error in four, drift on the numbers', () => {
    expect(signal('t', 'data_type_error_rate', 'data_quality')).toMatchObject({
      value: 0.25,
      status: 'fail',
    });
    expect(report.columns.find((column) => column.column === 't')?.kind).toBe('numeric');
  });

  test('no nulls anywhere: null rates pass at the strict default', () => {
    for (const column of ['x', 'c', 't']) {
      expect(signal(column, 'null_value_rate', 'data_quality')).toMatchObject({
        value: 0,
        status: 'pass',
      });
    }
  });

  test('failures come first, and a threshold given makes a shown metric judged', async () => {
    expect(report.signals[0]?.status).toBe('fail');
    const judged = await buildReport(db.connection, {
      cwd: '.',
      thresholds: parseThresholds([
        'chi_squared_p_value=0.3',
        'x:normalized_wasserstein_distance=none',
      ]),
    });
    const find = (column: string, metric: string) =>
      judged.signals.find((s) => s.column === column && s.metric === metric);
    expect(find('c', 'chi_squared_p_value')).toMatchObject({ threshold: 0.3, status: 'fail' });
    expect(find('x', 'normalized_wasserstein_distance')).toMatchObject({
      threshold: null,
      status: 'n/a',
    });
  });

  test('requests per day count each correlation id once', () => {
    expect(report.traffic.find((day) => day.day === '2024-01-08')).toMatchObject({
      requests: 3,
      rows: 4,
      window: 'target',
    });
  });
});

test('over 100,000 distinct values the CDFs are taken on a grid: W1 and KS within one step', async () => {
  const dir = await makeTmpDir('mdq-report-grid-');
  const grid = await openDatabase(join(dir.path, 'mdq.duckdb'));
  try {
    // Baseline: 0, 0.001, ..., 119.999 over a week; target: the same values shifted by 1.
    await grid.connection.run(`CREATE TABLE inputs AS
      SELECT 'svc' AS _service, DATE '2024-01-01' + CAST(i % 7 AS INTEGER) AS _date, 0 AS _row, 'r' AS _correlation_id, i / 1000 AS x FROM range(120000) t(i)
      UNION ALL
      SELECT 'svc', DATE '2024-01-08', 0, 'r', i / 1000 + 1 FROM range(120000) t(i)`);
    const gridded = await buildReport(grid.connection, { cwd: dir.path });
    const find = (metric: string) =>
      gridded.signals.find((s) => s.column === 'x' && s.metric === metric)?.value ?? Number.NaN;
    const step = 121 / 65_536;
    const std = Math.sqrt((120_000 ** 2 - 1) / 12) / 1000;
    expect(Math.abs(find('normalized_wasserstein_distance') * std - 1)).toBeLessThan(step);
    expect(Math.abs(find('kolmogorov_smirnov_statistic') - 1000 / 120_000)).toBeLessThan(
      (step * 1000) / 120_000 + 1e-9,
    );
  } finally {
    grid.close();
    await dir.cleanup();
  }
});

test('a CSV or Parquet file of training data is a baseline too: the same distances', async () => {
  const dir = await makeTmpDir('mdq-report-file-');
  try {
    await db.connection.run(
      `COPY (SELECT x, c, t FROM inputs WHERE _date < DATE '2024-01-08') TO '${join(dir.path, 'train.csv')}' (HEADER)`,
    );
    await db.connection.run(
      `COPY (SELECT x, c FROM inputs WHERE _date < DATE '2024-01-08') TO '${join(dir.path, 'train.parquet')}' (FORMAT parquet)`,
    );
    for (const file of ['train.csv', 'train.parquet']) {
      const fromFile = await buildReport(db.connection, { cwd: dir.path, baseline: file });
      const find = (column: string, metric: string) =>
        fromFile.signals.find((s) => s.column === column && s.metric === metric);
      expect(fromFile.baseline).toMatchObject({ from: null, to: null, rows: 4 });
      expect(fromFile.baseline.source).toBe(join(dir.path, file));
      expect(find('x', 'kolmogorov_smirnov_statistic')?.value).toBeCloseTo(0.25, 12);
      expect(find('x', 'normalized_wasserstein_distance')?.value).toBeCloseTo(
        1 / Math.sqrt(5 / 3),
        12,
      );
      expect(find('c', 'chi_squared_p_value')?.value).toBeCloseTo(Math.exp(-4 / 3), 10);
    }
    // The Parquet file has no t: in production only, it is a column added.
    const parquet = await buildReport(db.connection, { cwd: dir.path, baseline: 'train.parquet' });
    expect(
      parquet.signals.find((s) => s.column === 't' && s.metric === 'column_added'),
    ).toMatchObject({ value: 1, status: 'fail' });
  } finally {
    await dir.cleanup();
  }
});

test('a baseline file DuckDB cannot read: one line naming it, exit code 2', async () => {
  const dir = await makeTmpDir('mdq-report-badfile-');
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir.path, 'train.parquet'), 'not parquet');
    const error = await buildReport(db.connection, {
      cwd: dir.path,
      baseline: 'train.parquet',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'report-baseline', exitCode: 2 });
    expect((error as Error).message).toMatch(/^cannot read the baseline: .*train\.parquet/);
  } finally {
    await dir.cleanup();
  }
});
