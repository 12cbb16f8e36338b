import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `mdq/collect` is embedded in scoring services: importing and using it must not load DuckDB,
 * yargs, ink, React or cli-table3, nor anything from src/query or cli/. A child process records
 * every module the loader resolves (module.registerHooks) while importing and using it.
 */

const PROBE = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
const entry = await import(process.env.PROBE_ENTRY);
if (process.env.PROBE_USE === '1') {
  const dc = new entry.ModelDataCollector('model', { folder: process.env.PROBE_DIR + '/data', spoolDir: process.env.PROBE_DIR + '/spool', env: {} });
  dc.collect([{ a: 1 }]);
  await dc.close();
}
process.stdout.write(JSON.stringify(seen));
`;

function loadedBy(entry: string, dir: string, use: boolean): string[] {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', PROBE],
    {
      env: {
        ...process.env,
        PROBE_ENTRY: fileURLToPath(new URL(entry, import.meta.url)),
        PROBE_USE: use ? '1' : '0',
        PROBE_DIR: dir,
      },
      encoding: 'utf8',
    },
  );
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as string[];
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
