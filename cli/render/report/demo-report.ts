import { dirname, join } from 'node:path';
import { openDatabase } from '../../../src/query/database.js';
import { buildReport } from '../../../src/report/build-report.js';
import { reportHtml } from './report-html.js';
import { writeReportPage } from './write-page.js';

/** The page `mdq demo` ends with: the last day against the days before it, beside the database. */
export async function writeDemoReport(dbPath: string, signal: AbortSignal): Promise<string> {
  const db = await openDatabase(dbPath, { mustExist: true, readOnly: true });
  const path = join(dirname(dbPath), 'mdq-report.html');
  try {
    const report = await buildReport(db.connection, { cwd: dirname(dbPath), signal });
    await writeReportPage(path, await reportHtml(report, new Date()));
  } finally {
    db.close();
  }
  return path;
}
