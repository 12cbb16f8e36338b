import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportHtml } from '../../cli/render/report/report-html.js';
import { openDatabase } from '../../src/query/database.js';
import { buildReport } from '../../src/report/build-report.js';
import { addDays } from '../../src/report/windows.js';
import { generateArchive } from '../archive.js';
import type { BenchAzurite } from '../azurite.js';
import type { TableRow } from '../results.js';
import { pullThrough, storeFor } from '../scenarios/mdq-pull.js';
import type { BenchSettings } from '../settings.js';
import { fmtSeconds, median, timed } from '../stats.js';

/**
 * `mdq report` against DuckDB's own `SUMMARIZE` of the same rows (issue 17: ≤ 3 ×), on the
 * large archive (the pull bench's: one ~18 MB blob per identifier and day, 100 rows per
 * request). The windows cover every day (baseline the first days, target the last week), so
 * the report reads all of inputs and predictions; SUMMARIZE reads `scored`, which holds both.
 * Runs alternate, medians of `settings.runs`. Also informative: rendering the HTML page.
 */
export async function runReportBench(
  azurite: BenchAzurite,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<TableRow[]> {
  const container = await azurite.container('report');
  const archive = await generateArchive(container, {
    days: settings.days,
    blobsPerDay: 1,
    blobBytes: settings.largeBlobBytes,
    rowsPerRequest: 100,
  });
  const dir = await mkdtemp(join(tmpdir(), 'mdq-bench-report-'));
  try {
    const dbPath = join(dir, 'mdq.duckdb');
    const target = { connectionString: azurite.connectionString, archive };
    await pullThrough(target, dbPath, await storeFor(target));
    const day = (d: { year: number; month: number; day: number }) =>
      `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
    const last = day(archive.to);
    const targetWindow = { from: addDays(last, -Math.min(6, settings.days - 2)), to: last };
    const baseline = `${day(archive.from)}..${addDays(targetWindow.from, -1)}`;
    const rows = archive.rows.inputs;
    log(
      `report: ${rows} input rows, target ${targetWindow.from}..${targetWindow.to}, baseline ${baseline}`,
    );
    const db = await openDatabase(dbPath, { mustExist: true, readOnly: true });
    const report: number[] = [];
    const summarize: number[] = [];
    const summarizeTables: number[] = [];
    const page: number[] = [];
    try {
      const summarizeSql = `SUMMARIZE SELECT * FROM scored WHERE _date BETWEEN DATE '${day(archive.from)}' AND DATE '${last}'`;
      for (let run = 0; run < settings.runs; run += 1) {
        summarize.push((await timed(() => db.connection.runAndReadAll(summarizeSql))).seconds);
        summarizeTables.push(
          (
            await timed(async () => {
              await db.connection.runAndReadAll(summarizeSql.replace('scored', 'inputs'));
              await db.connection.runAndReadAll(summarizeSql.replace('scored', 'predictions'));
            })
          ).seconds,
        );
        const built = await timed(() =>
          buildReport(db.connection, { cwd: dir, target: targetWindow, baseline }),
        );
        report.push(built.seconds);
        page.push((await timed(() => reportHtml(built.value, new Date()))).seconds);
        log(
          `report run ${run + 1}: report ${built.seconds.toFixed(2)} s, SUMMARIZE scored ${summarize.at(-1)?.toFixed(2)} s, inputs + predictions ${summarizeTables.at(-1)?.toFixed(2)} s, page ${page.at(-1)?.toFixed(2)} s`,
        );
      }
    } finally {
      db.close();
    }
    const ratio = median(report) / median(summarize);
    const tablesRatio = median(report) / median(summarizeTables);
    return [
      {
        scenario: `large blobs: mdq report (drift, quality; ${rows} input + ${archive.rows.predictions} prediction rows) vs one SUMMARIZE of the same rows (scored)`,
        mdq: fmtSeconds(median(report)),
        baseline: fmtSeconds(median(summarize)),
        ratio: `${ratio.toFixed(2)} ×`,
        target: '≤ 3 ×',
        met: ratio <= 3 ? 'yes' : '**NO**',
      },
      {
        scenario:
          'large blobs: mdq report vs SUMMARIZE of inputs plus SUMMARIZE of predictions (the tables it reads, without the join)',
        mdq: fmtSeconds(median(report)),
        baseline: fmtSeconds(median(summarizeTables)),
        ratio: `${tablesRatio.toFixed(2)} ×`,
        target: '(informative)',
        met: '—',
      },
      {
        scenario: 'large blobs: rendering the report as one HTML page (Vega-Lite to SVG)',
        mdq: fmtSeconds(median(page)),
        baseline: '—',
        ratio: '—',
        target: '(informative)',
        met: '—',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
