import { expect, test } from 'vitest';
import { tableForIdentifier } from '../../src/query/roles.js';

test('identifiers load into role tables; names mdq owns get a suffix instead of merging in', () => {
  expect(tableForIdentifier('model_inputs')).toBe('inputs');
  expect(tableForIdentifier('model_outputs')).toBe('predictions');
  expect(tableForIdentifier('Feature Log')).toBe('feature_log');
  expect(tableForIdentifier('scored')).toBe('scored_data');
  // The blob table lives beside the stored role tables: a custom `blobs` must not become it.
  expect(tableForIdentifier('blobs')).toBe('blobs_data');
  expect(tableForIdentifier('predictions_1')).toBe('predictions_1');
});
