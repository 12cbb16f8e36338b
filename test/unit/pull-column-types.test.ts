import { expect, test } from 'vitest';
import { QueryError } from '../../src/errors.js';
import { classifyField } from '../../src/query/pull/column-types.js';
import { CsvStager } from '../../src/query/pull/csv-stager.js';
import { throwIfOutOfMemory } from '../../src/query/pull/out-of-memory.js';

test('a field suggests the type inferTypes would give it: whole numbers, numbers, booleans, text', () => {
  expect(['5', '-12', '5.0', '1e3'].map(classifyField)).toEqual([
    'BIGINT',
    'BIGINT',
    'BIGINT',
    'BIGINT',
  ]);
  expect(
    ['5.5', '.5', '-1.25e-3', 'nan', '-inf', '99999999999999999999'].map(classifyField),
  ).toEqual(['DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'DOUBLE']);
  expect(['true', 'FALSE', 'yes', '2024-01-01T00:00:00Z', 'a,b'].map(classifyField)).toEqual([
    'BOOLEAN',
    'BOOLEAN',
    'VARCHAR',
    'VARCHAR',
    'VARCHAR',
  ]);
  expect(classifyField('')).toBeUndefined();
});

test('the stager guesses each column from its rows and reports its longest staged line', () => {
  const stager = new CsvStager('aks');
  stager.push(Buffer.from('a,b,c,d\n1,7,true,x\n2,,false,"y, z"\n3.5,2,true,\n'));
  stager.end();
  const { types, longestLine } = stager.sample();
  expect(types).toEqual(['DOUBLE', 'BIGINT', 'BOOLEAN', 'VARCHAR']);
  expect(longestLine).toBeGreaterThanOrEqual('2,,false,"y, z"'.length);
});

test('DuckDB running out of memory fails the pull with a hint; other errors pass through', () => {
  const oom = new Error('Out of Memory Error: could not allocate block of size 32.0 MiB');
  expect(() => throwIfOutOfMemory(oom)).toThrow(QueryError);
  expect(() => throwIfOutOfMemory(oom)).toThrow('the load ran out of memory');
  expect(() => throwIfOutOfMemory(new Error('Conversion Error: x'))).not.toThrow();
});
