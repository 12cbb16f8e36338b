import { expect, test } from 'vitest';
import { roleOfIdentifier, tableForIdentifier } from '../../src/query/roles.js';

test('identifiers load into role tables; names mdq owns get a suffix instead of merging in', () => {
  expect(tableForIdentifier('model_inputs')).toBe('inputs');
  expect(tableForIdentifier('model_outputs')).toBe('predictions');
  expect(tableForIdentifier('Feature Log')).toBe('feature_log');
  expect(tableForIdentifier('scored')).toBe('scored_data');
  // The blob table lives beside the stored role tables: a custom `blobs` must not become it.
  expect(tableForIdentifier('blobs')).toBe('blobs_data');
  expect(tableForIdentifier('identifier_roles')).toBe('identifier_roles_data');
  expect(tableForIdentifier('predictions_1')).toBe('predictions_1');
  // A name that only sanitises to a role's table is not that role.
  expect(tableForIdentifier('Labels!')).toBe('labels_data');
});

test('ground truth: AKS labels and the v2 names users give it; --role maps any other', () => {
  for (const identifier of ['labels', 'ground_truth', 'Feedback']) {
    expect(roleOfIdentifier(identifier)).toBe('labels');
    expect(tableForIdentifier(identifier)).toBe('labels');
  }
  const roles = new Map([
    ['truth_v3', 'labels' as const],
    ['feedback', 'inputs' as const],
  ]);
  expect(tableForIdentifier('Truth_V3', roles)).toBe('labels');
  // A mapping wins over the name's own role.
  expect(tableForIdentifier('feedback', roles)).toBe('inputs');
  expect(roleOfIdentifier('signals', roles)).toBeUndefined();
});
