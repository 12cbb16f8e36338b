import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ModelDataCollector } from '../../src/collect/index.js';
import type { CollectFormat } from '../../src/collect/options.js';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { queryRows } from '../../src/query/run.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { makeTmpDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** Requests as a scoring service sees them: several rows per request, awkward text, a null. */
const REQUESTS: Array<Array<{ age: number; city: string; score: number | null }>> = [
  [{ age: 31, city: 'Zürich', score: 0.5 }],
  [
    { age: 42, city: 'Paris, "Left Bank"', score: 1.25 },
    { age: 43, city: 'São Paulo', score: null },
    { age: 44, city: 'line\u00a0space', score: -2 },
  ],
  [
    { age: 50, city: '東京', score: 3 },
    { age: 51, city: "O'Hare", score: 4.5 },
  ],
];
const PREDICTIONS = REQUESTS.map((rows) => rows.map((row) => (row.age % 2 === 0 ? 'even' : 'odd')));

const NOON = Date.UTC(2024, 4, 2, 12, 0, 0);

for (const format of ['workbench', 'aks', 'v2'] as CollectFormat[]) {
  test(`${format}: what the collector writes, pull loads unchanged and joins row for row`, async () => {
    const dir = await makeTmpDir('mdq-roundtrip-');
    cleanups.push(dir.cleanup);
    const folder = join(dir.path, 'modeldata');
    const common = {
      format,
      folder,
      service: 'shop',
      modelVersion: '3',
      clock: () => NOON,
      env: { MDQ_SPOOL_DIR: join(dir.path, 'spool') },
    };
    const inputsId = format === 'v2' ? 'model_inputs' : 'inputs';
    const outputsId = format === 'v2' ? 'model_outputs' : 'predictions';
    const inputsDc = new ModelDataCollector('price-model', { ...common, identifier: inputsId });
    const predictionsDc = new ModelDataCollector('price-model', {
      ...common,
      identifier: outputsId,
    });
    for (const [index, rows] of REQUESTS.entries()) {
      const context = inputsDc.collect(rows);
      predictionsDc.collect(PREDICTIONS[index], context);
    }
    await Promise.all([inputsDc.close(), predictionsDc.close()]);

    const store = new LocalBlobStore(folder);
    const dbPath = join(dir.path, 'mdq.duckdb');
    const result = await pull({
      store,
      source: store.description,
      dbPath,
      service: 'shop',
      from: { year: 2024, month: 5, day: 2 },
      to: { year: 2024, month: 5, day: 2 },
    });
    expect(result.quarantined).toEqual([]);
    expect(result.rowsByTable).toEqual({ inputs: 6, predictions: 6 });

    const db = await openDatabase(dbPath, { mustExist: true });
    try {
      const { rows } = await queryRows(
        db.connection,
        `select age, city, score, prediction, _row, _matched, _date::varchar, _service
           from scored order by age`,
      );
      const expected = REQUESTS.flatMap((request, r) =>
        request.map((row, i) => [
          row.age,
          row.city,
          row.score,
          PREDICTIONS[r]?.[i],
          i,
          true,
          '2024-05-02',
          'shop',
        ]),
      );
      expect(
        rows.map((row) =>
          row.map((cell) => (typeof cell === 'string' && /^\d+$/.test(cell) ? Number(cell) : cell)),
        ),
      ).toEqual(expected);
      // one correlation id per request, shared by its inputs and predictions
      const ids = await queryRows(
        db.connection,
        'select count(distinct _correlation_id) from inputs',
      );
      expect(Number(ids.rows[0]?.[0])).toBe(REQUESTS.length);
    } finally {
      db.close();
    }
  });
}
