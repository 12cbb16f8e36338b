import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { formatDay, parseDay } from '../layout/days.js';

/** Inclusive days, `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

/** Where the baseline comes from: a day range of the same table, a file, or another table. */
export type BaselineSource =
  | { kind: 'range'; range: DayRange }
  | { kind: 'file'; path: string; format: 'csv' | 'parquet' }
  | { kind: 'table'; name: string };

/** `A..B` or a single day `A`; undefined when `text` is neither (a file or table name). */
export function parseDayRange(text: string, argName: string): DayRange | undefined {
  const match = /^(\d{4}-\d{1,2}-\d{1,2})(?:\.\.(\d{4}-\d{1,2}-\d{1,2}))?$/.exec(text.trim());
  if (!match?.[1]) {
    return undefined;
  }
  const from = formatDay(parseDay(match[1], argName));
  const to = match[2] ? formatDay(parseDay(match[2], argName)) : from;
  if (to < from) {
    throw new UsageError(`${argName} ${text}: the range ends before it starts`, {
      hint: 'write it oldest first, e.g. 2024-01-01..2024-01-07',
    });
  }
  return { from, to };
}

/** `day` moved by `offset` days. */
export function addDays(day: string, offset: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + offset)).toISOString().slice(0, 10);
}

/**
 * `--baseline`: a day range, else an existing CSV/Parquet file (relative to `cwd`), else the
 * name of a table (checked by the caller against the database).
 */
export function parseBaseline(text: string, cwd: string): BaselineSource {
  const range = parseDayRange(text, '--baseline');
  if (range) {
    return { kind: 'range', range };
  }
  const path = isAbsolute(text) ? text : resolve(cwd, text);
  const extension = /\.([a-z]+)(?:\.gz|\.zst)?$/i.exec(text)?.[1]?.toLowerCase();
  if (existsSync(path)) {
    if (extension === 'parquet' || extension === 'csv' || extension === 'tsv') {
      return { kind: 'file', path, format: extension === 'parquet' ? 'parquet' : 'csv' };
    }
    throw new UsageError(`--baseline ${text}: only .csv and .parquet files can be a baseline`);
  }
  if (extension === 'parquet' || extension === 'csv' || /[/\\]/.test(text)) {
    throw new UsageError(`--baseline ${text}: no such file`, {
      hint: 'give a day range A..B, a CSV or Parquet file of training data, or a table name',
    });
  }
  return { kind: 'table', name: text };
}

/** The default windows: the target is `lastDay`, the baseline the 7 days before the target. */
export function defaultBaseline(target: DayRange): DayRange {
  return { from: addDays(target.from, -7), to: addDays(target.from, -1) };
}

export function overlaps(a: DayRange, b: DayRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}
