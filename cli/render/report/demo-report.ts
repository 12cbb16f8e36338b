import { dirname, join } from 'node:path';
import { openDatabase } from '../../../src/query/database.js';
import { buildReport } from '../../../src/report/build-report.js';
import { writeReportPage } from './write-page.js';

/** The page `mdq demo` ends with: the last day against the days before it, beside the database. */
export async function writeDemoReport(dbPath: string, signal: AbortSignal): Promise<string> {
  const db = await openDatabase(dbPath, { mustExist: true, readOnly: true });
  const path = join(dirname(dbPath), 'mdq-report.html');
  try {
    const report = await buildReport(db.connection, { cwd: dirname(dbPath), signal });
    // Vega loads only here: ~0.7-1.1 s that no other command should pay at start-up.
    const { reportHtml } = await import('./report-html.js');
    await writeReportPage(path, await reportHtml(report, new Date()));
  } finally {
    db.close();
  }
  return path;
}
