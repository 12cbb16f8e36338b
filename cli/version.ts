import { readFileSync } from 'node:fs';

/** mdq's version, from the package.json one folder above cli/ (sources) or dist/cli/ (built). */
export function mdqVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mdq' && pkg.version) {
        return pkg.version;
      }
    } catch {
      // not this level; try the next one up
    }
  }
  return 'unknown';
}
