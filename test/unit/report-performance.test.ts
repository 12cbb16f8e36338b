import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { buildReport } from '../../src/report/build-report.js';
import type { Report } from '../../src/report/types.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * Performance reads `scored` as it carries ground truth: a boolean `_labeled` and the labels'
 * data columns (prefixed `label_` where an input or prediction column has the name). These
 * build that shape by hand in a real DuckDB file, so the metrics are checked against values
 * worked out below, whatever the pull does.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const SYSTEM = `'svc' AS _service, DATE '2024-01-01' AS _date, 0 AS _row, 'id' AS _correlation_id`;

async function reportOn(scoredRows: string, labelColumns: string, predictionColumns: string) {
  const dir = await makeTmpDir('mdq-report-performance-');
  cleanups.push(dir.cleanup);
  const db = await openDatabase(join(dir.path, 'mdq.duckdb'));
  try {
    await db.connection.run(`CREATE TABLE scored AS SELECT * FROM (VALUES ${scoredRows})
      AS v(_service, _date, _row, _correlation_id, x, prediction, _matched, _labeled, ${labelColumns})`);
    await db.connection.run(
      'CREATE TABLE inputs AS SELECT _service, _date, _row, _correlation_id, x FROM scored',
    );
    await db.connection.run(
      `CREATE TABLE predictions AS SELECT ${SYSTEM}, NULL AS ${predictionColumns} LIMIT 0`,
    );
    await db.connection.run(
      `CREATE TABLE labels AS SELECT ${SYSTEM}, ${labelColumns
        .split(',')
        .map((c) => `NULL AS ${c.trim().replace(/^label_/, '')}`)
        .join(', ')} LIMIT 0`,
    );
    return await buildReport(db.connection, { cwd: dir.path });
  } finally {
    db.close();
  }
}

function metric(report: Report, column: string, name: string) {
  return report.signals.find(
    (s) => s.signal === 'performance' && s.column === column && s.metric === name,
  );
}

test('classification: accuracy, macro precision/recall/F1 and per class, labelled rows only', async () => {
  const row = (day: string, truth: string | null, predicted: string, labeled: boolean) =>
    `('svc', DATE '${day}', 0, 'r', 1.0, '${predicted}', true, ${labeled}, ${truth === null ? 'NULL' : `'${truth}'`})`;
  const report = await reportOn(
    [
      row('2024-01-07', 'a', 'a', true),
      row('2024-01-07', 'b', 'b', true),
      // Target day: truth a a b b, predicted a b b b; one more row without ground truth.
      row('2024-01-08', 'a', 'a', true),
      row('2024-01-08', 'a', 'b', true),
      row('2024-01-08', 'b', 'b', true),
      row('2024-01-08', 'b', 'b', true),
      row('2024-01-08', null, 'a', false),
    ].join(', '),
    'species',
    'prediction',
  );
  expect(report.performance).toMatchObject({
    task: 'classification',
    labelColumn: 'species',
    predictionColumn: 'prediction',
    labeledRows: 6,
  });
  expect(metric(report, 'species', 'accuracy')).toMatchObject({
    value: 0.75,
    baseline: 1,
    threshold: 0.5,
    status: 'pass',
  });
  // Class a: precision 1/1, recall 1/2; class b: precision 2/3, recall 2/2.
  expect(metric(report, 'species', 'precision')?.value).toBeCloseTo((1 + 2 / 3) / 2, 12);
  expect(metric(report, 'species', 'recall')?.value).toBeCloseTo(0.75, 12);
  expect(metric(report, 'species', 'f1')?.value).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  expect(metric(report, 'species=a', 'class_recall')).toMatchObject({ value: 0.5, status: 'n/a' });
  expect(metric(report, 'species=b', 'class_precision')?.value).toBeCloseTo(2 / 3, 12);
  const day = report.performance?.daily.filter((entry) => entry.day === '2024-01-08');
  expect(day?.find((entry) => entry.metric === 'accuracy')?.value).toBe(0.75);
  expect(
    report.performance?.daily.find((e) => e.day === '2024-01-07' && e.metric === 'accuracy')?.value,
  ).toBe(1);
});

test('regression: MAE and RMSE; a label column named like the prediction is label_prediction', async () => {
  const row = (truth: number, predicted: number) =>
    `('svc', DATE '2024-01-08', 0, 'r', 1.0, ${predicted}, true, true, ${truth})`;
  const report = await reportOn(
    [row(1.5, 2), row(2.25, 2.25), row(3.75, 5.75), row(10.5, 10.5), row(7.25, 7.25), row(0.5, 0.5)]
      .concat([
        row(4.5, 4.5),
        row(5.5, 5.5),
        row(6.5, 6.5),
        row(8.5, 8.5),
        row(9.5, 9.5),
        row(11.5, 11.5),
      ])
      .concat([
        row(12.5, 12.5),
        row(13.5, 13.5),
        row(14.5, 14.5),
        row(15.5, 15.5),
        row(16.5, 16.5),
        row(17.5, 17.5),
      ])
      .concat([row(18.5, 18.5), row(19.5, 19.5), row(20.5, 20.5), row(21.5, 21.5)])
      .join(', '),
    'label_prediction',
    'prediction',
  );
  expect(report.performance).toMatchObject({ task: 'regression', labelColumn: 'label_prediction' });
  // Errors 0.5 and 2 among 22 rows.
  expect(metric(report, 'label_prediction', 'mae')?.value).toBeCloseTo(2.5 / 22, 12);
  expect(metric(report, 'label_prediction', 'rmse')?.value).toBeCloseTo(Math.sqrt(4.25 / 22), 12);
  expect(metric(report, 'label_prediction', 'mae')?.status).toBe('n/a');
});

test('without _labeled in scored there is no performance signal, and a note says why', async () => {
  const dir = await makeTmpDir('mdq-report-performance-');
  cleanups.push(dir.cleanup);
  const db = await openDatabase(join(dir.path, 'mdq.duckdb'));
  try {
    await db.connection.run(`CREATE TABLE inputs AS SELECT ${SYSTEM}, 1.5 AS x`);
    await db.connection.run(`CREATE VIEW scored AS SELECT *, true AS _matched FROM inputs`);
    const report = await buildReport(db.connection, { cwd: dir.path });
    expect(report.performance).toBeNull();
    expect(report.notes).toContain(
      'performance: scored has no _labeled column: no ground truth joined (pull the labels role)',
    );
  } finally {
    db.close();
  }
});
