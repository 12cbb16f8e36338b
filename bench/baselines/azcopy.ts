import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { redactSecrets } from '../../src/secrets.js';
import { timed } from '../stats.js';

const execFileAsync = promisify(execFile);

/** Where `npm install --no-save --prefix bench/.work/azcopy @azure-tools/azcopy-linux` puts it. */
const AZCOPY_PREFIX = resolve('bench/.work/azcopy');
const AZCOPY_BINARY = join(
  AZCOPY_PREFIX,
  'node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64',
);

export type Azcopy = { ok: true; binary: string; version: string } | { ok: false; reason: string };

/**
 * Installs azcopy from the npm registry if missing (it needs Debian's libsecret-1-0) and checks
 * that it runs; any failure is returned as a reason for the table, never thrown.
 */
export async function prepareAzcopy(): Promise<Azcopy> {
  try {
    if (!existsSync(AZCOPY_BINARY)) {
      await mkdir(AZCOPY_PREFIX, { recursive: true });
      await execFileAsync(
        'npm',
        ['install', '--no-save', '--prefix', AZCOPY_PREFIX, '@azure-tools/azcopy-linux'],
        { timeout: 180_000 },
      );
    }
    // The package ships the binary without its execute bit.
    await chmod(AZCOPY_BINARY, 0o755);
    const { stdout } = await execFileAsync(AZCOPY_BINARY, ['--version'], { env: azcopyEnv() });
    return {
      ok: true,
      binary: AZCOPY_BINARY,
      version: stdout.trim().replace(/^azcopy version /, ''),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = /libsecret/.test(message) ? ' (apt-get install libsecret-1-0)' : '';
    return {
      ok: false,
      reason: `azcopy cannot run: ${redactSecrets(message).split('\n')[0]}${hint}`,
    };
  }
}

function azcopyEnv(): NodeJS.ProcessEnv {
  const work = resolve('bench/.work/azcopy-state');
  return {
    ...process.env,
    AZCOPY_LOG_LOCATION: join(work, 'logs'),
    AZCOPY_JOB_PLAN_LOCATION: join(work, 'plans'),
    AZCOPY_DISABLE_SYSLOG: 'true',
  };
}

/**
 * `azcopy copy '<container SAS URL>' <dir> --recursive --from-to BlobLocal`, default tuning (what
 * a user would run). Returns the wall time and the bytes that landed in `dir`.
 */
export async function runAzcopy(
  azcopy: Extract<Azcopy, { ok: true }>,
  sasUrl: string,
  dir: string,
): Promise<{ seconds: number; bytes: number; files: number }> {
  await mkdir(dir, { recursive: true });
  const { seconds } = await timed(async () => {
    try {
      await execFileAsync(
        azcopy.binary,
        ['copy', sasUrl, dir, '--recursive', '--from-to', 'BlobLocal', '--log-level', 'ERROR'],
        { env: azcopyEnv(), maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const out = (error as { stdout?: string }).stdout ?? '';
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(redactSecrets(`azcopy failed: ${message}\n${out.slice(-2000)}`));
    }
  });
  const { bytes, files } = await treeSize(dir);
  return { seconds, bytes, files };
}

async function treeSize(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      bytes += (await stat(join(entry.parentPath, entry.name))).size;
      files += 1;
    }
  }
  return { bytes, files };
}
