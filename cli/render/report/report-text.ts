import type { Report } from '../../../src/report/types.js';
import { markdownFormatter } from '../formats/markdown.js';
import { formatTable } from '../table.js';
import { reportHeadline, SIGNAL_COLUMNS, signalRow } from './signal-rows.js';

/** The terminal summary: one bordered row per signal, worst first. */
export function reportTable(report: Report, useColor: boolean): string {
  return formatTable(SIGNAL_COLUMNS, report.signals.map(signalRow), { useColor });
}

/** The same as Markdown, under a heading with the windows, for issues and pull requests. */
export function reportMarkdown(report: Report): string {
  const formatter = markdownFormatter();
  const [windows, verdict] = reportHeadline(report);
  return [
    `## mdq report\n\n${windows}\n\n**${verdict}**\n\n`,
    formatter.begin(SIGNAL_COLUMNS),
    formatter.rows(report.signals.map(signalRow)),
    report.notes.length > 0 ? `\n${report.notes.map((note) => `- ${note}`).join('\n')}\n` : '',
  ].join('');
}
