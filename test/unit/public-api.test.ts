import { expect, test } from 'vitest';
import * as collect from '../../src/collect/index.js';
import * as mdq from '../../src/index.js';

test('the library entry exposes the collector and the query side', () => {
  for (const name of [
    'ModelDataCollector',
    'runWithCorrelation',
    'pull',
    'streamQuery',
    'exportToPath',
    'resolveStore',
    'openDatabase',
    'MdqError',
  ]) {
    expect(typeof (mdq as Record<string, unknown>)[name], name).toBe('function');
  }
  // the same collector class whichever entry point a service imports
  expect(mdq.ModelDataCollector).toBe(collect.ModelDataCollector);
});
