import { UsageError } from '../errors.js';
import type { Day } from './types.js';

const ISO_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** Parses `YYYY-MM-DD` strictly (a real calendar day), for --from/--to. */
export function parseDay(text: string, argName = 'date'): Day {
  const match = ISO_DAY.exec(text.trim());
  const day = match ? toDay(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
  if (!day) {
    throw new UsageError(`${argName} "${text}" is not a date`, {
      hint: 'use YYYY-MM-DD, for example 2024-01-31 (UTC)',
    });
  }
  return day;
}

/** A valid calendar day, or undefined (rejects 2024-02-30, month 13, ...). */
export function toDay(year: number, month: number, day: number): Day | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  const isValid =
    Number.isInteger(year) &&
    year >= 1970 &&
    year <= 9999 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day;
  return isValid ? { year, month, day } : undefined;
}

export function dayOfDate(date: Date): Day {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function todayUtc(now: Date = new Date()): Day {
  return dayOfDate(now);
}

/** The day `days` days after `day` (before it when negative). */
export function addDays(day: Day, days: number): Day {
  return dayOfDate(new Date(Date.UTC(day.year, day.month - 1, day.day) + days * 86_400_000));
}

/** Sortable integer yyyymmdd. */
export function dayKey(day: Day): number {
  return day.year * 10_000 + day.month * 100 + day.day;
}

export function formatDay(day: Day): string {
  return `${day.year}-${pad2(day.month)}-${pad2(day.day)}`;
}

export function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** Every day from `from` to `to`, inclusive; empty when `to` is before `from`. */
export function daysInRange(from: Day, to: Day): Day[] {
  const days: Day[] = [];
  const end = Date.UTC(to.year, to.month - 1, to.day);
  for (let t = Date.UTC(from.year, from.month - 1, from.day); t <= end; t += 86_400_000) {
    days.push(dayOfDate(new Date(t)));
  }
  return days;
}

/** A folder name that is a number in [min, max], padded or not ("3", "03"); else undefined. */
export function parseNumberFolder(name: string, min: number, max: number): number | undefined {
  if (!/^\d{1,4}$/.test(name)) {
    return undefined;
  }
  const value = Number(name);
  return value >= min && value <= max ? value : undefined;
}
