import { expect, test } from 'vitest';
import { loadIris } from '../../src/demo/iris-data.js';
import { IrisModel } from '../../src/demo/iris-model.js';

test('the shipped iris data has 150 rows, 50 per species', () => {
  const rows = loadIris();
  expect(rows).toHaveLength(150);
  const counts = new Map<string, number>();
  for (const row of rows) {
    counts.set(row.species, (counts.get(row.species) ?? 0) + 1);
  }
  expect(Object.fromEntries(counts)).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
});

test('the demo model is a real classifier: trained on even rows, it scores the odd rows well', () => {
  const rows = loadIris();
  const train = rows.filter((_, i) => i % 2 === 0);
  const holdout = rows.filter((_, i) => i % 2 === 1);
  const model = IrisModel.train(train);
  expect(model.accuracy(holdout)).toBeGreaterThan(0.9);
  // a setosa flower is unmistakable (short, narrow petals)
  expect(
    model.predict({ sepal_length: 5.0, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 }),
  ).toBe('setosa');
});
