import stringWidth from 'string-width';
import type { DatabaseSummary } from '../../../src/query/describe.js';
import type { SourceStream } from '../../../src/query/source-summary.js';
import { escapeControl } from '../escape.js';

/**
 * Text views for `mdq ls`. Names come from blob paths and tables (outside data), so every name
 * is escaped before it reaches the terminal.
 */
export function formatDatabaseSummary(summary: DatabaseSummary, dbPath: string): string {
  const lines = [`database ${escapeControl(dbPath)}`, '', 'tables:'];
  if (summary.tables.length === 0) {
    lines.push('  (none yet: run mdq pull)');
  }
  const width = Math.max(0, ...summary.tables.map((table) => table.name.length));
  for (const table of summary.tables) {
    const kind = table.type === 'view' ? ' (view)' : '';
    lines.push(`  ${escapeControl(table.name).padEnd(width)}  ${count(table.rows, 'row')}${kind}`);
  }
  if (summary.services.length > 0) {
    lines.push('', 'days per service:');
    for (const range of summary.services) {
      lines.push(
        `  ${escapeControl(range.service)} in ${escapeControl(range.table)}: ${range.firstDay} .. ${range.lastDay}, ${count(range.rows, 'row')}`,
      );
    }
  }
  if (summary.identifiers.length > 0) {
    lines.push('', 'identifiers (role → table):');
    const id = Math.max(...summary.identifiers.map((i) => i.identifier.length));
    for (const i of summary.identifiers) {
      const role = i.role === undefined ? 'own table' : `${i.role}${i.mapped ? ', --role' : ''}`;
      lines.push(
        `  ${escapeControl(i.identifier).padEnd(id)}  ${role} → ${escapeControl(i.table)}: ${count(i.blobs, 'blob')}, ${count(i.rows, 'row')}`,
      );
    }
  }
  if (summary.labeledDays.length > 0) {
    lines.push('', 'labeled share of inputs per day:');
    for (const day of summary.labeledDays) {
      const share = day.inputs === 0 ? 0 : Math.round((100 * day.labeled) / day.inputs);
      lines.push(
        `  ${day.day}  ${share} % (${day.labeled.toLocaleString('en-US')} of ${count(day.inputs, 'row')})`,
      );
    }
  }
  lines.push('', 'blobs:');
  if (summary.manifest.length === 0) {
    lines.push('  (no pull recorded)');
  }
  for (const status of summary.manifest) {
    lines.push(
      `  ${escapeControl(status.status)}: ${count(status.blobs, 'blob')}, ${count(status.rows, 'row')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** service / model / version / identifier as an indented tree, each with its first..last day. */
export function formatSourceSummary(streams: readonly SourceStream[], description: string): string {
  const lines = [`source ${escapeControl(description)}`];
  if (streams.length === 0) {
    lines.push('  (no model data found)');
  }
  // Days and layouts in one column, whatever the identifiers' lengths.
  const width = Math.max(
    0,
    ...streams.map((stream) => stringWidth(escapeControl(stream.identifier))),
  );
  let previous: SourceStream | undefined;
  for (const stream of streams) {
    if (stream.service !== previous?.service) {
      lines.push(`service ${escapeControl(stream.service)}`);
    }
    if (stream.service !== previous?.service || stream.model !== previous.model) {
      lines.push(`  model ${escapeControl(stream.model)}`);
    }
    if (
      stream.service !== previous?.service ||
      stream.model !== previous.model ||
      stream.modelVersion !== previous.modelVersion
    ) {
      lines.push(
        `    version ${stream.modelVersion === '' ? '(per event)' : escapeControl(stream.modelVersion)}`,
      );
    }
    const days = stream.firstDay ? `${stream.firstDay} .. ${stream.lastDay}` : 'no days yet';
    const identifier = escapeControl(stream.identifier);
    const padding = ' '.repeat(width - stringWidth(identifier));
    lines.push(`      ${identifier}${padding}  ${days}  [${stream.layout}]`);
    previous = stream;
  }
  return `${lines.join('\n')}\n`;
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-US')} ${noun}${value === 1 ? '' : 's'}`;
}
