import { isReservedColumn } from './system-columns.js';

/**
 * Positions of JSON keys for one table during one pull. v2 rows are objects whose keys vary per
 * line and per file; giving each key a stable position lets every staged file be a positional
 * CSV whose columns are a prefix of `names`, so files load with known columns and no sniffing.
 * Keys are matched case-insensitively, as DuckDB matches column names.
 */
export class ColumnRegistry {
  readonly names: string[] = [];
  readonly #positions = new Map<string, number>();

  position(key: string): number {
    const lower = key.toLowerCase();
    const known = this.#positions.get(lower);
    if (known !== undefined) {
      return known;
    }
    let name = key.trim() === '' ? `column${this.names.length}` : key;
    if (isReservedColumn(name)) {
      name = `data${name}`;
    }
    const base = name;
    for (let k = 1; this.#taken(name); k += 1) {
      name = `${base}_${k}`;
    }
    const position = this.names.length;
    this.names.push(name);
    this.#positions.set(lower, position);
    if (name.toLowerCase() !== lower) {
      this.#positions.set(name.toLowerCase(), position);
    }
    return position;
  }

  get size(): number {
    return this.names.length;
  }

  #taken(name: string): boolean {
    const lower = name.toLowerCase();
    return this.names.some((existing) => existing.toLowerCase() === lower);
  }
}
