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

/** Reuses target objects so the hot path allocates one string per call, not a target too. */
export class TargetCache {
  readonly #targets = new Map<string, Encoded['target']>();

  get(folder: string, stem: string, naming: BlobTarget['naming'], header: string) {
    const cacheKey = targetKey({ folder, stem, naming, header });
    let target = this.#targets.get(cacheKey);
    if (target === undefined) {
      if (this.#targets.size > 1000) {
        // Days roll and schemas drift; a long-lived process must not keep every old target.
        this.#targets.clear();
      }
      target = { folder, stem, naming, header };
      this.#targets.set(cacheKey, target);
    }
    return { target, key: cacheKey };
  }
}

/** Header lines memoised by column list (a service sends the same columns every call). */
export class HeaderCache {
  readonly #headers = new Map<string, string>();
  readonly #build: (columns: readonly string[]) => string;

  constructor(build: (columns: readonly string[]) => string) {
    this.#build = build;
  }

  get(columns: readonly string[]): string {
    const cacheKey = columns.join('\u0000');
    let header = this.#headers.get(cacheKey);
    if (header === undefined) {
      if (this.#headers.size > 1000) {
        this.#headers.clear();
      }
      header = this.#build(columns);
      this.#headers.set(cacheKey, header);
    }
    return header;
  }
}
