import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ENV_VARS } from '../../src/config.js';

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

test('every environment variable mdq reads is listed (and documented) in src/config.ts', () => {
  const root = new URL('../..', import.meta.url).pathname;
  const read = new Set<string>();
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'cli'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/env\??\.([A-Z][A-Z0-9_]+)/g)) {
      read.add(match[1] as string);
    }
  }
  expect(read.size).toBeGreaterThan(5);
  const listed = new Set(Object.keys(ENV_VARS));
  expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  for (const [name, doc] of Object.entries(ENV_VARS)) {
    expect(doc.length, name).toBeGreaterThan(10);
  }
});
