import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * A child process records every module the loader resolves (module.registerHooks) while it
 * imports `entry` and, with `use`, builds a collector writing under `dir`.
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

/** URLs of the modules loaded by importing `entry` (a URL relative to `base`). */
export function modulesLoadedBy(
  entry: string,
  base: string,
  options: { dir?: string; useCollector?: boolean } = {},
): { loaded: string[]; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', PROBE],
    {
      env: {
        ...process.env,
        PROBE_ENTRY: fileURLToPath(new URL(entry, base)),
        PROBE_USE: options.useCollector ? '1' : '0',
        PROBE_DIR: options.dir ?? '',
      },
      encoding: 'utf8',
    },
  );
  return { loaded: JSON.parse(result.stdout || '[]') as string[], stderr: result.stderr };
}
