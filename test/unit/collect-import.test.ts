import { expect, test } from 'vitest';
import { modulesLoadedBy } from '../helpers/module-probe.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `mdq/collect` is embedded in scoring services: importing and using it must not load DuckDB,
 * yargs, ink, React or cli-table3, nor anything from src/query or cli/ (test/helpers/module-probe.ts
 * records what a child process loads).
 */

function loadedBy(entry: string, dir: string, use: boolean): string[] {
  const { loaded, stderr } = modulesLoadedBy(entry, import.meta.url, { dir, useCollector: use });
  expect(stderr).toBe('');
  return loaded;
}

const FORBIDDEN = /\/node_modules\/(@duckdb|yargs|ink|react|cli-table3)\/|\/src\/query\/|\/cli\//;

test('importing and using mdq/collect loads no DuckDB, yargs, ink, React or CLI code', async () => {
  const tmp = await makeTmpDir();
  try {
    const loaded = loadedBy('../../src/collect/index.ts', tmp.path, true);
    expect(loaded.some((url) => url.includes('/src/collect/collector.ts'))).toBe(true);
    expect(loaded.filter((url) => FORBIDDEN.test(url))).toEqual([]);
    // The probe does see such loads when they happen.
    const control = loadedBy('../../src/query/database.ts', tmp.path, false);
    expect(control.some((url) => url.includes('/node_modules/@duckdb/'))).toBe(true);
  } finally {
    await tmp.cleanup();
  }
});
