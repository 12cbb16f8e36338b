import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Two weeks of a scoring service written by the embedded collector with a fixed clock: every
 * day serves the same 36 requests, except that `shifting` moves up by 4 in the second week.
 * Labels are collected too (the truth equals the prediction in week 1, one in three in week 2).
 */
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2024, 0, 1);
const REQUESTS_PER_DAY = 36;
const ANSWERS = ['yes', 'no', 'maybe'];

let dir: { path: string; cleanup: () => Promise<void> };
let db: string;

beforeAll(async () => {
  dir = await makeTmpDir('mdq-report-archive-');
  const folder = join(dir.path, 'modeldata');
  let now = FIRST_DAY;
  const common = {
    folder,
    service: 'shop',
    clock: () => now,
    env: { MDQ_SPOOL_DIR: join(dir.path, 'spool') },
  };
  const inputs = new ModelDataCollector('price', { ...common, identifier: 'inputs' });
  const predictions = new ModelDataCollector('price', { ...common, identifier: 'prediction' });
  const labels = new ModelDataCollector('price', { ...common, identifier: 'labels' });
  for (let day = 0; day < 14; day += 1) {
    const secondWeek = day >= 7;
    for (let r = 0; r < REQUESTS_PER_DAY; r += 1) {
      now = FIRST_DAY + day * DAY_MS + r * 60_000;
      const context = inputs.collect({
        stable: 1 + (r % 9) * 0.5,
        steady: 10.5 + (r % 12),
        city: ['north', 'south', 'east'][r % 3] ?? 'north',
        shifting: (r % 9) + 1.25 + (secondWeek ? 4 : 0),
      });
      const answer = ANSWERS[r % 3] ?? 'yes';
      predictions.collect([answer], context);
      const truth = secondWeek ? 'yes' : answer;
      labels.collect([{ label: truth }], context);
    }
  }
  await Promise.all([inputs.close(), predictions.close(), labels.close()]);
  db = join(dir.path, 'mdq.duckdb');
  const pulled = await runMdq(
    [
      'pull',
      '--source',
      folder,
      '--service',
      'shop',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-14',
      '--db',
      db,
    ],
    { cwd: dir.path },
  );
  expect(pulled.code, pulled.stderr).toBe(0);
});

afterAll(async () => {
  await dir.cleanup();
});

const WEEKS = ['--baseline', '2024-01-01..2024-01-07', '--target', '2024-01-08..2024-01-14'];

interface JsonReport {
  baseline: { from: string; to: string; rows: number };
  target: { from: string; to: string; rows: number };
  signals: Array<{
    signal: string;
    column: string;
    metric: string;
    value: number | null;
    threshold: number | null;
    status: string;
  }>;
}

test('the report fails the feature that shifted, and only that one; --fail-on drift exits 3', async () => {
  const result = await runMdq(
    ['report', '--db', db, ...WEEKS, '--format', 'json', '--fail-on', 'drift'],
    {
      cwd: dir.path,
    },
  );
  expect(result.code, result.stderr).toBe(3);
  const report = JSON.parse(result.stdout) as JsonReport;
  expect(Object.keys(report)).toEqual(['baseline', 'target', 'signals']);
  expect(report.baseline).toEqual({
    from: '2024-01-01',
    to: '2024-01-07',
    rows: 7 * REQUESTS_PER_DAY,
  });
  expect(report.target).toEqual({
    from: '2024-01-08',
    to: '2024-01-14',
    rows: 7 * REQUESTS_PER_DAY,
  });
  for (const signal of report.signals) {
    expect(Object.keys(signal)).toEqual([
      'signal',
      'column',
      'metric',
      'value',
      'threshold',
      'status',
    ]);
  }
  const failed = report.signals.filter((s) => s.status === 'fail' && s.signal !== 'performance');
  expect(new Set(failed.map((s) => s.column))).toEqual(new Set(['shifting']));
  expect(failed.map((s) => `${s.signal} ${s.metric}`).sort()).toEqual([
    'data_drift normalized_wasserstein_distance',
    'data_quality out_of_bounds_rate',
  ]);
  // Every other judged signal passes, the same days repeated: no drift at all.
  const stable = report.signals.filter(
    (s) => s.column === 'stable' && s.metric === 'normalized_wasserstein_distance',
  );
  expect(stable).toEqual([expect.objectContaining({ value: 0, status: 'pass' })]);
  const predicted = report.signals.find((s) => s.signal === 'prediction_drift');
  expect(predicted).toMatchObject({
    column: 'prediction',
    metric: 'jensen_shannon_distance',
    value: 0,
    status: 'pass',
  });
  // shifting moved by 4: W1 = 4 over the baseline's sample std of 1..9 (repeated 4 × 7 times).
  const values = Array.from({ length: 7 * REQUESTS_PER_DAY }, (_, i) => (i % 9) + 1.25);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  const nwd = failed.find((s) => s.metric === 'normalized_wasserstein_distance');
  expect(nwd?.value).toBeCloseTo(4 / std, 10);
});

test('--fail-on quality exits 3 too; --fail-on with nothing failing of that kind exits 0', async () => {
  const quality = await runMdq(
    ['report', '--db', db, ...WEEKS, '--fail-on', 'quality', '--format', 'json'],
    {
      cwd: dir.path,
    },
  );
  expect(quality.code).toBe(3);
  const relaxed = await runMdq(
    [
      'report',
      '--db',
      db,
      ...WEEKS,
      '--fail-on',
      'drift',
      '--format',
      'json',
      '--threshold',
      'shifting:normalized_wasserstein_distance=5',
    ],
    { cwd: dir.path },
  );
  expect(relaxed.code, relaxed.stderr).toBe(0);
});

test('on a terminal: a table, worst first, and the windows on stderr', async () => {
  const result = await runMdq(['report', '--db', db, ...WEEKS], { cwd: dir.path, tty: true });
  expect(result.code).toBe(0);
  const firstRow = result.stdout.split('\n').find((line) => /│ (data|prediction)/.test(line));
  expect(firstRow).toContain('shifting');
  expect(firstRow).toContain('fail');
  expect(result.stderr).toContain('target 2024-01-08..2024-01-14 (252 rows)');
  const markdown = await runMdq(['report', '--db', db, ...WEEKS, '--format', 'markdown'], {
    cwd: dir.path,
  });
  expect(markdown.stdout).toMatch(/^## mdq report/);
  expect(markdown.stdout).toContain('| data_drift | shifting | normalized_wasserstein_distance |');
});

test('performance, where labels join scored: accuracy per the labels, exit 3 on --fail-on performance', async () => {
  const result = await runMdq(
    ['report', '--db', db, ...WEEKS, '--format', 'json', '--fail-on', 'performance'],
    {
      cwd: dir.path,
    },
  );
  const report = JSON.parse(result.stdout) as JsonReport;
  const performance = report.signals.filter((s) => s.signal === 'performance');
  expect(result.stderr).not.toContain('scored has no _labeled column');
  // Week 2's truth is always "yes": one prediction in three is right.
  expect(performance.find((s) => s.metric === 'accuracy')).toMatchObject({
    column: 'label',
    threshold: 0.5,
    status: 'fail',
  });
  expect(performance.find((s) => s.metric === 'accuracy')?.value).toBeCloseTo(1 / 3, 12);
  expect(result.code).toBe(3);
});

test('bad input: one line naming the argument, exit 2', async () => {
  const overlap = await runMdq(
    ['report', '--db', db, '--baseline', '2024-01-05..2024-01-09', '--target', '2024-01-08'],
    {
      cwd: dir.path,
    },
  );
  expect(overlap.code).toBe(2);
  expect(overlap.stderr).toMatch(/^mdq: the baseline 2024-01-05\.\.2024-01-09 overlaps the target/);
  const missing = await runMdq(['report', '--db', db, '--baseline', 'train.parquet'], {
    cwd: dir.path,
  });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('--baseline train.parquet: no such file');
  const label = await runMdq(['report', '--db', db, '--label-column', 'truth'], { cwd: dir.path });
  expect(label.code).toBe(2);
  expect(label.stderr).toMatch(/^mdq: --label-column truth: scored has no such column/);
  const metric = await runMdq(['report', '--db', db, '--threshold', 'jsd=0.1'], { cwd: dir.path });
  expect(metric.code).toBe(2);
  expect(metric.stderr).toContain('unknown metric "jsd"');
});
