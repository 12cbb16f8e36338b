import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';

const require = createRequire(import.meta.url);

const PACKAGES = ['@duckdb/node-api', '@azure/storage-blob', 'azurite', 'tsx', 'p-limit'];

/** One line per fact about this machine, for the head of RESULTS.md. */
export function describeMachine(azcopyVersion: string | undefined): string[] {
  const commit = measuredCommit();
  const cpuList = cpus();
  const load = readLoadAverage();
  const versions = PACKAGES.map((name) => `${name} ${packageVersion(name)}`).join(', ');
  return [
    `- CPU: ${cpuList.length} × ${cpuList[0]?.model ?? 'unknown'}`,
    `- Memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- Node: ${process.version} (${process.platform}/${process.arch})`,
    `- Packages: ${versions}; azcopy ${azcopyVersion ?? 'not available'}`,
    `- Load average at start: ${load}`,
    `- Code measured: ${commit}`,
  ];
}

function packageVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return findUpVersion(name);
  }
}

/** Packages whose exports map hides package.json: read it from node_modules directly. */
function findUpVersion(name: string): string {
  try {
    const text = readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(text.toString()) as { version: string }).version;
  } catch {
    return '?';
  }
}

export function readLoadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

/**
 * Which mdq was measured: BENCH_COMMIT (set when running from a `git archive` snapshot), else
 * the checkout's HEAD, marked when the working tree has uncommitted changes.
 */
function measuredCommit(): string {
  if (process.env.BENCH_COMMIT) {
    return `${process.env.BENCH_COMMIT} (clean snapshot of that commit)`;
  }
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'cli'])
      .toString()
      .trim();
    return dirty === '' ? head : `${head} plus uncommitted changes in src/ or cli/`;
  } catch {
    return 'unknown (no git)';
  }
}
