import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMeasuredWithStdout } from '../measured-child.js';
import type { TableRow } from '../results.js';
import { fmtRate, median, mib, secondsSince } from '../stats.js';
import { buildOutputDatabase } from './database.js';

/** Sizes of the output bench: the 6M-row result, or a smoke-sized one. */
export interface OutputBenchSettings {
  quick: boolean;
  runs: number;
  /** Rows in `inputs`; the query writes all of them. */
  rows: number;
}

export function outputBenchSettings(env: NodeJS.ProcessEnv): OutputBenchSettings {
  const quick = env.BENCH_QUICK === '1';
  return { quick, runs: quick ? 1 : 3, rows: quick ? 20_000 : 6_000_000 };
}

const CLI = 'dist/cli/main.js';
const WORK = 'bench/.work/output';
const QUERY = 'select * from inputs';
const MIN_RATIO = 0.7;
const MAX_RSS = 250 * 2 ** 20;

/** One way of writing the result: the script and its arguments, and where its stdout goes. */
interface Variant {
  name: string;
  script?: string;
  args: (db: string, out: string) => Promise<string[]> | string[];
  stdout: 'file' | 'pipe' | 'cat' | 'none';
}

const EXPORT: Variant = {
  name: 'mdq export --query … --out f.csv',
  args: (db, out) => ['export', '--db', db, '--query', QUERY, '--out', out],
  stdout: 'none',
};

/**
 * DuckDB alone writing JSON Lines (the limit's load child, bench/baselines/load-child.mjs): how
 * fast JSON can be written at all, beside its CSV. JSON repeats every column name on every row.
 */
const DUCKDB_JSON: Variant = {
  name: 'DuckDB alone: COPY (…) TO f.json (FORMAT json)',
  script: 'bench/baselines/load-child.mjs',
  async args(dbPath, out) {
    const job = join(WORK, 'json-job.json');
    const statements = ["SET TimeZone = 'UTC'", `COPY (${QUERY}) TO '${out}' (FORMAT json)`];
    await writeFile(job, JSON.stringify({ dbPath, settings: {}, statements, counts: [] }));
    return [job];
  },
  stdout: 'none',
};

const SQL_VARIANTS: readonly Variant[] = [
  sqlVariant('csv', 'file'),
  sqlVariant('csv', 'pipe'),
  sqlVariant('csv', 'cat'),
  {
    name: 'mdq sql --format csv -o f.csv',
    args: (db, out) => ['sql', '--db', db, '--format', 'csv', QUERY, '-o', out],
    stdout: 'none',
  },
  sqlVariant('ndjson', 'file'),
  sqlVariant('json', 'file'),
];

function sqlVariant(format: string, stdout: 'file' | 'pipe' | 'cat'): Variant {
  const where = {
    file: '> file',
    pipe: '| reader (a socket the bench process reads)',
    cat: '| cat > /dev/null',
  };
  return {
    name: `mdq sql --format ${format} ${where[stdout]}`,
    args: (db) => ['sql', '--db', db, '--format', format, QUERY],
    stdout,
  };
}

interface Run {
  seconds: number;
  maxRssBytes: number;
  bytes: number;
}

/**
 * `mdq sql` output against `mdq export` (DuckDB's own CSV writer) for the same query, in the
 * same run (issue 15, part 2): rows/s of each output format beside export's CSV (target ≥ 0.7 ×)
 * and peak RSS (target ≤ 250 MiB for a 6M-row result). The built CLI runs as a user runs it, in
 * a child process with usage-report.mjs preloaded; rounds interleave the commands so the
 * machine's noise spreads over all of them.
 */
export async function runOutputBench(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TableRow[]> {
  const settings = outputBenchSettings(env);
  const started = process.hrtime.bigint();
  const db = await buildOutputDatabase(join(WORK, 'db'), settings.rows, settings.quick ? 3 : 30);
  log(`output: database of ${db.rows} input rows built in ${secondsSince(started).toFixed(0)} s`);
  const variants = [EXPORT, DUCKDB_JSON, ...SQL_VARIANTS];
  const runs = new Map<Variant, Run[]>(variants.map((variant) => [variant, []]));
  try {
    for (let round = 0; round < settings.runs; round++) {
      for (const variant of variants) {
        const run = await runVariant(variant, db.dbPath);
        runs.get(variant)?.push(run);
        log(
          `output: ${variant.name}: ${run.seconds.toFixed(2)} s, ${mib(run.maxRssBytes)}, ${(run.bytes / 1e6).toFixed(0)} MB`,
        );
      }
    }
  } finally {
    await rm(WORK, { recursive: true, force: true });
  }
  return outputRows(
    db.rows,
    runs.get(EXPORT) ?? [],
    runs.get(DUCKDB_JSON) ?? [],
    SQL_VARIANTS.map((v) => [v, runs.get(v) ?? []]),
  );
}

async function runVariant(variant: Variant, dbPath: string): Promise<Run> {
  const out = join(WORK, `out.${variant.name.includes('json') ? 'json' : 'csv'}`);
  await rm(out, { force: true });
  const start = process.hrtime.bigint();
  const stdout =
    variant.stdout === 'file' ? { file: out } : variant.stdout === 'cat' ? 'cat' : 'pipe';
  const { maxRssBytes } = await runMeasuredWithStdout(
    variant.script ?? CLI,
    await variant.args(dbPath, out),
    stdout,
  );
  const seconds = secondsSince(start);
  const bytes = variant.stdout === 'pipe' || variant.stdout === 'cat' ? 0 : (await stat(out)).size;
  await rm(out, { force: true });
  return { seconds, maxRssBytes, bytes };
}

function outputRows(
  rows: number,
  exportRuns: readonly Run[],
  duckdbJsonRuns: readonly Run[],
  sqlRuns: readonly (readonly [Variant, readonly Run[]])[],
): TableRow[] {
  const exportRate = rows / median(exportRuns.map((run) => run.seconds));
  const rates = sqlRuns.map(([variant, runs]) => {
    const rate = rows / median(runs.map((run) => run.seconds));
    const ratio = rate / exportRate;
    return {
      scenario: `sql output (${rows.toLocaleString('en-US')} rows): ${variant.name} vs ${EXPORT.name}`,
      mdq: fmtRate(rate, 'rows/s'),
      baseline: fmtRate(exportRate, 'rows/s'),
      ratio: `${ratio.toFixed(2)} ×`,
      target: `≥ ${MIN_RATIO} ×`,
      met: ratio >= MIN_RATIO ? 'yes' : '**NO**',
    };
  });
  const peak = Math.max(...sqlRuns.flatMap(([, runs]) => runs.map((run) => run.maxRssBytes)));
  const exportPeak = Math.max(...exportRuns.map((run) => run.maxRssBytes));
  const jsonRate = rows / median(duckdbJsonRuns.map((run) => run.seconds));
  return [
    ...rates,
    {
      scenario: `sql output (${rows.toLocaleString('en-US')} rows): ${DUCKDB_JSON.name} vs ${EXPORT.name} (the most JSON can get)`,
      mdq: fmtRate(jsonRate, 'rows/s'),
      baseline: fmtRate(exportRate, 'rows/s'),
      ratio: `${(jsonRate / exportRate).toFixed(2)} ×`,
      target: '(informative)',
      met: '—',
    },
    {
      scenario: `sql output (${rows.toLocaleString('en-US')} rows): peak RSS of every sql run above vs export's`,
      mdq: mib(peak),
      baseline: mib(exportPeak),
      ratio: `${(peak / exportPeak).toFixed(2)} ×`,
      target: `≤ ${mib(MAX_RSS)}`,
      met: peak <= MAX_RSS ? 'yes' : '**NO**',
    },
  ];
}
