import { quoteIdentifier } from '../sql.js';
import { type Companion, positionalColumns, shownColumns } from './companions.js';
import { shownCorrelationSql } from './correlation-key.js';
import { storedTable } from './schema.js';

/**
 * Two independent 64-bit hashes of a row's key parts (stream, row version, correlation id,
 * `_row`): the second hashes the id with a suffix, so keys that differ collide in both only
 * by chance, about once in 2^128 pairs.
 */
function hashesSql(alias: string, key: string): [string, string] {
  return [
    `hash(${alias}._stream, ${alias}._row_model_version, ${key}, ${alias}._row)`,
    `hash(${key} || '\u001f', ${alias}._row, ${alias}._stream)`,
  ];
}

/** The correlation key of stored input rows under an alias, as SQL (correlation-key.ts). */
export type InputKey = (alias: string) => string;

/**
 * The SQL that matches input rows to one companion's rows (companions.ts): which row of the
 * companion is an input row's, and the assignments that store that match on the input row.
 * The key is (stream, row model version, correlation id, `_row`), as `scored` always joined:
 * stream and version stand for (service, model, model version) (blobs.ts).
 */
export class MatchSql {
  readonly companion: Companion;
  readonly #shown: Map<string, string>;
  readonly #positional: string[];
  readonly #columns: ReadonlyMap<string, string>;
  readonly #companionKey: string;

  constructor(companion: Companion, companionColumns: ReadonlyMap<string, string>) {
    this.companion = companion;
    this.#columns = companionColumns;
    this.#shown = shownColumns(companionColumns);
    this.#positional = companion.spreads ? positionalColumns(companionColumns) : [];
    this.#companionKey = this.keySql('c');
  }

  /** The correlation key of the companion's stored row `alias`. */
  keySql(alias: string): string {
    return shownCorrelationSql(this.#columns, alias);
  }

  /** Whether the companion has headerless values that can spread over a request's rows. */
  get spreads(): boolean {
    return this.#positional.length > 0;
  }

  /** The companion's stored rows as candidate matches, restricted by `where` (on `c`). */
  candidatesSql(where: string, dedup: boolean): string {
    const copies = [...this.#shown.keys()].map(
      (name) => `c.${quoteIdentifier(name)} AS ${this.#copy(name)}`,
    );
    const select = [
      'c._stream AS _mdq_stream',
      'c._row_model_version AS _mdq_rmv',
      `${this.#companionKey} AS _mdq_k`,
      'c._row AS _mdq_row',
      `${hashesSql('c', this.#companionKey)[0]} AS _mdq_h1`,
      `${hashesSql('c', this.#companionKey)[1]} AS _mdq_h2`,
      'c._blob_id AS _mdq_blob',
      `${this.#widthSql('c')} AS _mdq_width`,
      ...copies,
    ];
    // The first loaded wins: blob ids grow with every load.
    const first = dedup
      ? `QUALIFY row_number() OVER (
          PARTITION BY _mdq_stream, _mdq_rmv, _mdq_k, _mdq_row ORDER BY _mdq_blob) = 1`
      : '';
    return `(SELECT * FROM (SELECT ${select.join(', ')} FROM ${storedTable(this.companion.table)} c
      WHERE ${where}) WHERE _mdq_k IS NOT NULL ${first})`;
  }

  /** The join of input rows `i` (whose key is `inputKey(i)`) to candidates `w`. */
  joinSql(i: string, inputKey: InputKey, w: string): string {
    return `${this.#sameRequest(i, inputKey, w)} AND ${i}._row = ${w}._mdq_row`;
  }

  /**
   * The same join on two 64-bit hashes of the key instead of its parts: a hash table of
   * integers is half the size of one holding key strings and is probed without comparing
   * strings (bench/README.md, "Data model"). Rows join only when both hashes agree.
   */
  hashJoinSql(i: string, inputKey: InputKey, w: string): string {
    const [h1, h2] = hashesSql(i, inputKey(i));
    return `${h1} = ${w}._mdq_h1 AND ${h2} = ${w}._mdq_h2`;
  }

  #sameRequest(i: string, inputKey: InputKey, w: string): string {
    return `${i}._stream IS NOT DISTINCT FROM ${w}._mdq_stream
      AND ${i}._row_model_version IS NOT DISTINCT FROM ${w}._mdq_rmv
      AND ${inputKey(i)} = ${w}._mdq_k`;
  }

  /**
   * The stored match of candidate `w` (NULLs where none), column → value. A headerless line of
   * one value is that row's prediction (`pos` 0); one of several values is not (they are a
   * request's probabilities, or spread over its rows by `spreadSql`).
   */
  assignments(w: string): Array<[string, string]> {
    const c = this.companion;
    const pos = this.spreads ? `CASE WHEN ${w}._mdq_width = 1 THEN 0 END` : 'NULL::BIGINT';
    return [
      [c.blob, `${w}._mdq_blob`],
      [c.pos, pos],
      ...[...this.#shown.keys()].map((name): [string, string] => [
        `${c.copy}${name}`,
        `${w}.${this.#copy(name)}`,
      ]),
    ];
  }

  /** The helpers and copies of no match. */
  clearSql(): string {
    const c = this.companion;
    const columns = [c.blob, c.pos, ...[...this.#shown.keys()].map((name) => `${c.copy}${name}`)];
    return columns.map((name) => `${quoteIdentifier(name)} = NULL`).join(', ');
  }

  /**
   * Sets the match of input rows `i` of `inputs` that have the key of a candidate (`where`,
   * `dedup` as in candidatesSql) and pass `inputWhere`; the UPDATE's count is the rows joined.
   */
  updateSql(
    inputKey: InputKey,
    where: string,
    inputWhere: string,
    dedup: boolean,
    /** Candidates already selected into this table, instead of `where`. */
    from?: string,
  ): string {
    const set = this.assignments('w')
      .map(([name, value]) => `${quoteIdentifier(name)} = ${value}`)
      .join(', ');
    return `UPDATE ${storedTable('inputs')} AS i SET ${set}
      FROM ${from ?? this.candidatesSql(where, dedup)} w
      WHERE ${this.joinSql('i', inputKey, 'w')} AND (${inputWhere})`;
  }

  /**
   * Headerless multi-value lines (formats.md §1, §2: a numpy 1-D prediction of a request):
   * when a request's key has exactly one prediction row, a line of n > 1 values, and the
   * request has n input rows (ordinals 0…n-1), input row i gets the line as its match with
   * value i as its `prediction`. Other widths (a one-row request's class probabilities) keep
   * the row-by-row match. Only keys that `keyWhere` (on `c`) admits are looked at.
   */
  spreadSql(inputKey: InputKey, keyWhere: string): string {
    const c = this.companion;
    const copies = [...this.#shown.keys()];
    const lineCopies = copies.map(
      (name) => `any_value(c.${quoteIdentifier(name)}) AS ${this.#copy(name)}`,
    );
    const set = [
      `${quoteIdentifier(c.blob)} = l._mdq_blob`,
      `${quoteIdentifier(c.pos)} = i._row`,
      ...copies.map((name) => `${quoteIdentifier(`${c.copy}${name}`)} = l.${this.#copy(name)}`),
    ];
    const lines = `(SELECT c._stream AS _mdq_stream, c._row_model_version AS _mdq_rmv,
        ${this.#companionKey} AS _mdq_k, any_value(c._blob_id) AS _mdq_blob,
        any_value(${this.#widthSql('c')}) AS _mdq_width, ${lineCopies.join(', ')}
      FROM ${storedTable(c.table)} c
      WHERE ${this.#companionKey} IS NOT NULL AND (${keyWhere})
      GROUP BY ALL HAVING count(*) = 1 AND any_value(c._row) = 0 AND any_value(${this.#widthSql('c')}) > 1)`;
    const requests = `(SELECT l._mdq_stream, l._mdq_rmv, l._mdq_k, count(*) AS _mdq_n,
        max(r._row) AS _mdq_last
      FROM ${storedTable('inputs')} r JOIN ${lines} l ON ${this.#sameRequest('r', inputKey, 'l')}
      GROUP BY ALL)`;
    return `UPDATE ${storedTable('inputs')} AS i SET ${set.join(', ')}
      FROM ${lines} l, ${requests} q
      WHERE q._mdq_stream IS NOT DISTINCT FROM l._mdq_stream
        AND q._mdq_rmv IS NOT DISTINCT FROM l._mdq_rmv AND q._mdq_k = l._mdq_k
        AND q._mdq_n = l._mdq_width AND q._mdq_last = l._mdq_width - 1
        AND ${this.#sameRequest('i', inputKey, 'l')}`;
  }

  /** How many values a headerless line holds: its last non-empty positional column + 1. */
  #widthSql(alias: string): string {
    if (this.#positional.length === 0) {
      return 'NULL::BIGINT';
    }
    const cases = this.#positional
      .map((name, i) => `WHEN ${alias}.${quoteIdentifier(name)} IS NOT NULL THEN ${i + 1}`)
      .reverse();
    return `CASE ${cases.join(' ')} ELSE 0 END`;
  }

  #copy(name: string): string {
    return quoteIdentifier(`${this.companion.copy}${name}`);
  }
}
