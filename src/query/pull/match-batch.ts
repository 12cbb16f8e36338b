import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { COMPANIONS, companionColumns } from './companions.js';
import { shownCorrelationSql } from './correlation-key.js';
import { type InputKey, MatchSql } from './match-sql.js';
import { memoryLimitSetting } from './memory-budget.js';
import { BLOBS, storedTable, tableColumns } from './schema.js';

/** DuckDB's memory while a batch's rows are matched (withJoinSettings). */
const BASE_JOIN_BYTES = 128 * 1024 * 1024;
const JOIN_ROW_BYTES = 200;
const MAX_JOIN_BYTES = 1024 * 1024 * 1024;

/** Settings to put back after a join (withJoinSettings), also when its transaction failed. */
const pendingRestores = new WeakMap<DuckDBConnection, string[]>();

/** Puts DuckDB's settings back after withJoinSettings; after a rollback, the caller does. */
export async function restoreJoinSettings(connection: DuckDBConnection): Promise<void> {
  const restore = pendingRestores.get(connection);
  pendingRestores.delete(connection);
  for (const sql of restore ?? []) {
    await connection.run(sql);
  }
}

/** DuckDB's memory_limit setting as bytes ('128.0 MiB', '1.5 GiB'); 0 when unreadable. */
function parseMemory(setting: string): number {
  const match = /^([\d.]+)\s*([KMGT]i?B)$/i.exec(setting.trim());
  if (!match) {
    return 0;
  }
  const units: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  return Number(match[1]) * (units[(match[2] ?? '').charAt(0).toUpperCase()] ?? 0);
}

/** The blob ids a batch loads rows from (file-map.ts). */
const BATCH_BLOBS = "(SELECT id FROM _mdq_files WHERE status = 'loaded' AND rows > 0)";

/**
 * Keeps each input row's match (companions.ts) right through one load batch, inside its
 * transaction, with work proportional to what the batch adds:
 * 1. `prepare`, after rows of replaced blobs were deleted: input rows matched to a deleted
 *    companion row lose their match (their keys are kept to match again).
 * 2. `afterCompanions`, once the batch's prediction and label rows are in: those input rows
 *    match again, now against every row of their key; input rows loaded earlier without a
 *    match take the batch's rows of their key (a prediction or a label that came later).
 * 3. `inputsSelect` matches the batch's own input rows while they are inserted, with a LEFT
 *    JOIN to the companion rows of their days (±1; labels: from the day before on), which is
 *    where collectors file them: writing the match with the row costs a fraction of updating
 *    it afterwards (bench/README.md, "Data model").
 * 4. `afterInputs`: a companion row of the same key outside those days (filed far away, or an
 *    older duplicate) still wins; found by hashing keys, so it costs a scan, not a join of
 *    strings. Then headerless lines spread over their requests' rows (MatchSql.spreadSql).
 * Invariant: every input row's match is the first loaded companion row of its key, or none.
 */
export class BatchMatcher {
  readonly #connection: DuckDBConnection;
  readonly #matches: MatchSql[];
  readonly #inputKey: InputKey;
  /**
   * Where the batch's input rows' companions are filed (`near`), or the rest of their
   * streams: a filter on companion rows `c`.
   */
  readonly #window: (m: MatchSql, near: boolean) => string;
  readonly #hasInputs: boolean;
  readonly #reset = new Set<MatchSql>();

  private constructor(
    connection: DuckDBConnection,
    matches: MatchSql[],
    inputKey: InputKey,
    window: (m: MatchSql, near: boolean) => string,
    hasInputs: boolean,
  ) {
    this.#connection = connection;
    this.#matches = matches;
    this.#inputKey = inputKey;
    this.#window = window;
    this.#hasInputs = hasInputs;
  }

  /**
   * Step 1. Runs after the companions' and inputs' columns were fitted (companions.ts) and the
   * replaced blobs' rows deleted (`deleted`: blob ids by table).
   */
  static async prepare(
    connection: DuckDBConnection,
    deleted: ReadonlyMap<string, readonly number[]>,
  ): Promise<BatchMatcher> {
    const inputs = await tableColumns(connection, 'inputs');
    const inputKey: InputKey = (alias) => shownCorrelationSql(inputs, alias);
    const matches: MatchSql[] = [];
    for (const c of COMPANIONS) {
      const columns = await companionColumns(connection, c);
      if (columns !== undefined && inputs.size > 0) {
        matches.push(new MatchSql(c, columns));
      }
    }
    const reader = await connection.runAndReadAll(
      `SELECT list(DISTINCT stream), min(day)::VARCHAR, max(day)::VARCHAR FROM _mdq_files
       WHERE table_name = 'inputs' AND status = 'loaded' AND rows > 0`,
    );
    const [streams, first, last] = reader.getRowsJson()[0] ?? [];
    const streamList = Array.isArray(streams) ? streams.map((s) => Number(s)) : [];
    const window = (m: MatchSql, near: boolean) => {
      if (streamList.length === 0 || typeof first !== 'string' || typeof last !== 'string') {
        return 'false';
      }
      const from = `DATE ${quoteLiteral(first)} - 1`;
      // Ground truth is filed under the day it was collected, days after its requests.
      const days =
        m.companion.table === 'labels'
          ? `day >= ${from}`
          : `day BETWEEN ${from} AND DATE ${quoteLiteral(last)} + 1`;
      return `c._stream IN (${streamList.join(', ')}) AND ${near ? '' : 'NOT '}c._blob_id IN (SELECT id FROM ${BLOBS} WHERE ${days})`;
    };
    const matcher = new BatchMatcher(connection, matches, inputKey, window, streamList.length > 0);
    await matcher.#forgetDeleted(deleted);
    return matcher;
  }

  /** Step 2: after the batch's companion rows (and before its input rows) are inserted. */
  async afterCompanions(): Promise<void> {
    for (const m of this.#matches) {
      const blob = `i.${quoteIdentifier(m.companion.blob)}`;
      if (this.#reset.has(m)) {
        const again = `EXISTS (SELECT 1 FROM ${resetTable(m)} r
          WHERE r.s IS NOT DISTINCT FROM c._stream AND r.v IS NOT DISTINCT FROM c._row_model_version
            AND r.k = ${shownKey(m)})`;
        await this.#run(m.updateSql(this.#inputKey, again, `${blob} IS NULL`, true));
        if (m.spreads) {
          await this.#run(m.spreadSql(this.#inputKey, again));
        }
        await this.#run(`DROP TABLE ${resetTable(m)}`);
      }
      const inBatch = `c._blob_id IN ${BATCH_BLOBS}`;
      // Only input rows loaded before this batch and still without a match can take its rows.
      const waiting = await this.#count(
        `SELECT count(*) FROM (SELECT 1 FROM ${storedTable('inputs')} i WHERE ${blob} IS NULL LIMIT 1)`,
      );
      if (waiting > 0) {
        const matchedToBatch = `SELECT count(*) FROM ${storedTable('inputs')} i WHERE ${blob} IN ${BATCH_BLOBS}`;
        const before = await this.#count(matchedToBatch);
        const joined = await this.withJoinSettings(
          () => this.#count(m.updateSql(this.#inputKey, inBatch, `${blob} IS NULL`, false)),
          () => inBatch,
        );
        // UPDATE ... FROM takes any one of several rows of a key: when the batch holds two of
        // one key (joined rows > updated rows), the first loaded is set again.
        if (joined > (await this.#count(matchedToBatch)) - before) {
          await this.withJoinSettings(
            () =>
              this.#run(m.updateSql(this.#inputKey, inBatch, `${blob} IN ${BATCH_BLOBS}`, true)),
            () => inBatch,
          );
        }
      }
      if (m.spreads) {
        await this.#run(m.spreadSql(this.#inputKey, inBatch));
      }
    }
  }

  /**
   * Step 3: the batch's input rows as `select` gives them (columns `staged`, named as
   * stored), with their matches; `dedup` when a companion may hold one key twice in those
   * days (the caller retries with it when the rows multiplied).
   */
  inputsSelect(select: string, staged: readonly string[], dedup: boolean): string {
    if (this.#matches.length === 0) {
      return select;
    }
    const columns = new Map(staged.map((name) => [name, 'VARCHAR']));
    const stagedKey: InputKey = (alias) => shownCorrelationSql(columns, alias);
    const values: string[] = [];
    const joins: string[] = [];
    for (const [n, m] of this.#matches.entries()) {
      const w = `w${n}`;
      joins.push(`LEFT JOIN ${m.candidatesSql(this.#window(m, true), dedup)} ${w}
        ON ${m.hashJoinSql('s', stagedKey, w)}`);
      for (const [name, value] of m.assignments(w)) {
        values.push(`${value} AS ${quoteIdentifier(name)}`);
      }
    }
    return `SELECT s.*, ${values.join(', ')} FROM (${select}) s ${joins.join('\n')}`;
  }

  /** Step 4: after the batch's input rows are inserted. */
  async afterInputs(): Promise<void> {
    if (!this.#hasInputs) {
      return;
    }
    const newInputs = `i._blob_id IN ${BATCH_BLOBS}`;
    for (const m of this.#matches) {
      const blob = `i.${quoteIdentifier(m.companion.blob)}`;
      const hashOf = (alias: string, key: string) =>
        `hash(${alias}._stream, ${alias}._row_model_version, ${key}, ${alias}._row)`;
      // Almost always none: found by hashes (a semi-join on integers), and only then joined.
      const far = quoteIdentifier(`_mdq_far_${m.companion.table}`);
      await this.#run(
        `CREATE OR REPLACE TEMP TABLE ${far} AS SELECT * FROM ${m.candidatesSql(
          `${this.#window(m, false)} AND ${hashOf('c', shownKey(m))} IN (
          SELECT ${hashOf('i', this.#inputKey('i'))} FROM ${storedTable('inputs')} i WHERE ${newInputs})`,
          true,
        )}`,
      );
      if ((await this.#count(`SELECT count(*) FROM ${far}`)) > 0) {
        await this.#run(
          m.updateSql(
            this.#inputKey,
            'true',
            `${newInputs} AND (${blob} IS NULL OR ${blob} > w._mdq_blob)`,
            false,
            far,
          ),
        );
      }
      await this.#run(`DROP TABLE ${far}`);
      if (m.spreads) {
        const keys = `${shownKey(m)} IN (SELECT ${this.#inputKey('i')} FROM ${storedTable('inputs')} i WHERE ${newInputs})`;
        await this.#run(m.spreadSql(this.#inputKey, keys));
      }
    }
  }

  /**
   * Runs `work` (a join whose build side must be the companion rows) with DuckDB's choice of
   * build side off, and memory for that side: DuckDB estimates a staged CSV at a few hundred
   * rows and would otherwise hash the input rows with every column (1.3M rows did not fit in
   * 128 MiB: a batch took 4x as long, spilling). The join's table holds the companion rows of
   * the batch's days, keys as two hashes and the shown columns: ~200 bytes a row are allowed
   * on top of what the pull runs with, so no such join spills (bench/README.md, "Data model").
   */
  async withJoinSettings<T>(
    work: () => Promise<T>,
    /** The companion rows the join hashes (default: those of the batch's input days). */
    hashed: (m: MatchSql) => string = (m) => this.#window(m, true),
  ): Promise<T> {
    if (this.#matches.length === 0) {
      return work();
    }
    const reader = await this.#connection.runAndReadAll(
      `SELECT current_setting('memory_limit'), (SELECT sum(n) FROM (${this.#matches
        .map(
          (m) => `SELECT count(*) AS n FROM ${storedTable(m.companion.table)} c WHERE ${hashed(m)}`,
        )
        .concat('SELECT 0 AS n')
        .join(' UNION ALL ')}))`,
    );
    const [limit, rows] = reader.getRowsJson()[0] ?? [];
    const bytes = Math.min(MAX_JOIN_BYTES, BASE_JOIN_BYTES + Number(rows ?? 0) * JOIN_ROW_BYTES);
    const restore = [
      'RESET disabled_optimizers',
      `SET memory_limit = ${quoteLiteral(String(limit))}`,
    ];
    pendingRestores.set(this.#connection, restore);
    await this.#run("SET disabled_optimizers = 'build_side_probe_side'");
    if (bytes > parseMemory(String(limit))) {
      await this.#run(`SET memory_limit = '${memoryLimitSetting(bytes)}'`);
    }
    const result = await work();
    await restoreJoinSettings(this.#connection);
    return result;
  }

  /** Step 1: input rows whose match was deleted lose it; their keys are kept. */
  async #forgetDeleted(deleted: ReadonlyMap<string, readonly number[]>): Promise<void> {
    for (const m of this.#matches) {
      const ids = deleted.get(m.companion.table) ?? [];
      if (ids.length === 0) {
        continue;
      }
      const blob = quoteIdentifier(m.companion.blob);
      const matched = `${blob} IN (${ids.join(', ')})`;
      await this.#run(`CREATE OR REPLACE TEMP TABLE ${resetTable(m)} AS
        SELECT DISTINCT i._stream AS s, i._row_model_version AS v, ${this.#inputKey('i')} AS k
        FROM ${storedTable('inputs')} i WHERE ${matched}`);
      await this.#run(`UPDATE ${storedTable('inputs')} SET ${m.clearSql()} WHERE ${matched}`);
      this.#reset.add(m);
    }
  }

  async #run(sql: string): Promise<void> {
    await this.#connection.run(sql);
  }

  async #count(sql: string): Promise<number> {
    const reader = await this.#connection.runAndReadAll(sql);
    return Number(reader.getRowsJson()[0]?.[0] ?? 0);
  }
}

function resetTable(m: MatchSql): string {
  return quoteIdentifier(`_mdq_reset_${m.companion.table}`);
}

/** The key of companion row `c` (MatchSql knows the columns). */
function shownKey(m: MatchSql): string {
  return m.keySql('c');
}
