/**
 * Queries at table speed (issue 15.1): the suite on mdq's views against the same suite on
 * plain tables holding the same rows, built in the same run from the same pulled database.
 * The archive is the shape: AKS, 30 days, one row per request and every tenth request
 * three rows, ≥ 3M rows per role, pulled from a local folder with the library's pull.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { BENCH_SERVICE, folderSink, generateArchive } from '../archive.js';
import type { TableRow } from '../results.js';
import { median, timed } from '../stats.js';
import { querySql, type SuiteNames, suiteQueries } from './suite.js';

export interface QueryBenchOptions {
  quick: boolean;
  /** Timed runs per query and side, alternated (medians are taken). */
  runs: number;
  log: (line: string) => void;
}

const VIEWS: SuiteNames = { scored: 'scored', inputs: 'inputs', predictions: 'predictions' };
const PLAIN: SuiteNames = {
  scored: 'bench_plain.scored',
  inputs: 'bench_plain.inputs',
  predictions: 'bench_plain.predictions',
};
/** The target: the suite on the views within 1.5 × its time on plain tables. */
const MAX_RATIO = 1.5;

export async function runQueryBench(options: QueryBenchOptions): Promise<TableRow[]> {
  const { log } = options;
  const work = await mkdtemp(join(tmpdir(), 'mdq-bench-queries-'));
  try {
    const source = join(work, 'archive');
    const generated = await timed(() =>
      generateArchive(folderSink(source), {
        days: options.quick ? 3 : 30,
        blobsPerDay: 1,
        // ~120,000 input rows a day: 3.6M rows per role over 30 days.
        blobBytes: options.quick ? 200 * 1024 : 25 * 1024 * 1024,
        rowsPerRequest: 3,
        multiRowEvery: 10,
      }),
    );
    const archive = generated.value;
    log(
      `queries: ${archive.rows.inputs} input and ${archive.rows.predictions} prediction rows generated in ${generated.seconds.toFixed(1)} s`,
    );
    const dbPath = join(work, 'db', 'mdq.duckdb');
    const pulled = await timed(() =>
      pull({
        store: new LocalBlobStore(source),
        source,
        dbPath,
        service: BENCH_SERVICE,
        from: archive.from,
        to: archive.to,
      }),
    );
    log(`queries: pulled in ${pulled.seconds.toFixed(1)} s`);
    const db = await openDatabase(dbPath, { mustExist: true });
    try {
      const run = async (sql: string) => {
        await db.connection.run(sql);
      };
      await run('CREATE SCHEMA bench_plain');
      for (const name of ['scored', 'inputs', 'predictions'] as const) {
        await run(`CREATE TABLE ${PLAIN[name]} AS SELECT * FROM main.${name}`);
      }
      await run('CHECKPOINT');
      const lookup = await db.connection.runAndReadAll(
        `SELECT _correlation_id FROM scored WHERE _row = 2 ORDER BY _correlation_id LIMIT 1`,
      );
      const key = String(lookup.getRowsJson()[0]?.[0] ?? '');
      const days = options.quick ? ['2026-01-01', '2026-01-02'] : ['2026-01-10', '2026-01-19'];
      const rows: TableRow[] = [];
      let viewTotal = 0;
      let plainTotal = 0;
      for (const query of suiteQueries(key, days[0] as string, days[1] as string)) {
        const seconds = { view: [] as number[], plain: [] as number[] };
        const views = querySql(query, VIEWS);
        const plain = querySql(query, PLAIN);
        const same = await sameResult(db.connection, views, plain);
        await run(views); // warm both once
        await run(plain);
        for (let r = 0; r < options.runs; r++) {
          seconds.view.push((await timed(() => run(views))).seconds);
          seconds.plain.push((await timed(() => run(plain))).seconds);
        }
        const view = median(seconds.view);
        const table = median(seconds.plain);
        viewTotal += view;
        plainTotal += table;
        log(`queries: ${query.name}: view ${fmtSeconds(view)}, plain ${fmtSeconds(table)}`);
        rows.push({
          scenario: `queries (${archive.rows.inputs.toLocaleString('en-US')} rows per role): ${query.name}${same ? '' : ' — RESULTS DIFFER'}`,
          mdq: fmtSeconds(view),
          baseline: `${fmtSeconds(table)} (plain table)`,
          ratio: ratio(view, table),
          target: '(informative)',
          met: '—',
        });
      }
      rows.push({
        scenario: `queries: the whole suite on scored and the role views vs on plain tables with the same rows (${archive.rows.inputs.toLocaleString('en-US')} rows per role)`,
        mdq: fmtSeconds(viewTotal),
        baseline: fmtSeconds(plainTotal),
        ratio: ratio(viewTotal, plainTotal),
        target: `≤ ${MAX_RATIO} ×`,
        met: viewTotal <= MAX_RATIO * plainTotal ? 'yes' : '**NO**',
      });
      return rows;
    } finally {
      db.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Queries take milliseconds: three decimals. */
function fmtSeconds(seconds: number): string {
  return `${seconds.toFixed(3)} s`;
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)} ×` : 'n/a';
}

/** Whether both queries give the same rows (the plain tables must stand for the views). */
async function sameResult(
  connection: Awaited<ReturnType<typeof openDatabase>>['connection'],
  a: string,
  b: string,
): Promise<boolean> {
  const differ = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM ((${a}) EXCEPT ALL (${b}))) + (SELECT count(*) FROM ((${b}) EXCEPT ALL (${a})))`,
  );
  return Number(differ.getRowsJson()[0]?.[0] ?? 1) === 0;
}
