import type { ResolvedCorrelation } from './correlation.js';
import type { Rows } from './rows.js';
import { type BlobTarget, targetKey } from './target.js';

/** Encoded rows of one collect() call and the target they belong to. */
export interface Encoded {
  key: string;
  target: BlobTarget;
  text: string;
}

/** One collector format: rows + correlation + clock → bytes at a path (formats.md §1–3). */
export interface Encoder {
  encode(rows: Rows, correlation: ResolvedCorrelation, nowMs: number): Encoded;
}

/**
 * Reuses target objects so the hot path allocates one string per call, not a target too. Keyed
 * by folder, then header: both are long-lived string instances (memoised), so the lookups hash
 * nothing new.
 */
export class TargetCache {
  readonly #byFolder = new Map<string, Map<string, Encoded>>();
  readonly #stem: string;
  readonly #naming: BlobTarget['naming'];

  constructor(stem: string, naming: BlobTarget['naming']) {
    this.#stem = stem;
    this.#naming = naming;
  }

  get(folder: string, header: string): Omit<Encoded, 'text'> {
    let byHeader = this.#byFolder.get(folder);
    if (byHeader === undefined) {
      if (this.#byFolder.size > 100) {
        // Days roll: a long-lived process must not keep every old folder.
        this.#byFolder.clear();
      }
      byHeader = new Map();
      this.#byFolder.set(folder, byHeader);
    }
    let entry = byHeader.get(header);
    if (entry === undefined) {
      const target: BlobTarget = { folder, stem: this.#stem, naming: this.#naming, header };
      entry = { target, key: targetKey(target), text: '' };
      byHeader.set(header, entry);
    }
    return entry;
  }
}

/** Header lines memoised by column list (a service sends the same columns every call). */
export class HeaderCache {
  readonly #headers = new Map<string, string>();
  readonly #build: (columns: readonly string[]) => string;
  #lastColumns: readonly string[] = [];
  #lastHeader: string | undefined;

  constructor(build: (columns: readonly string[]) => string) {
    this.#build = build;
  }

  get(columns: readonly string[]): string {
    if (this.#lastHeader !== undefined && sameColumns(columns, this.#lastColumns)) {
      return this.#lastHeader;
    }
    const cacheKey = columns.join('\u0000');
    let header = this.#headers.get(cacheKey);
    if (header === undefined) {
      if (this.#headers.size > 1000) {
        this.#headers.clear();
      }
      header = this.#build(columns);
      this.#headers.set(cacheKey, header);
    }
    this.#lastColumns = [...columns];
    this.#lastHeader = header;
    return header;
  }
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
