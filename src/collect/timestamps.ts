/**
 * Timestamps as the Azure ML collectors wrote them (formats.md §1–3), all UTC.
 */

/**
 * Python's `datetime.utcnow().isoformat()`: naive (no zone), 6-digit microseconds, the fraction
 * omitted entirely when it is zero. JS clocks have millisecond resolution, so the last three
 * digits are zeros.
 */
let lastMs = Number.NaN;
let lastText = '';

export function pythonIsoformat(timeMs: number): string {
  // Busy services call this many times per millisecond: format each millisecond once.
  if (timeMs === lastMs) {
    return lastText;
  }
  lastText = formatIsoformat(timeMs);
  lastMs = timeMs;
  return lastText;
}

function formatIsoformat(timeMs: number): string {
  const iso = new Date(timeMs).toISOString(); // 2024-01-02T03:04:05.678Z
  const millis = iso.slice(20, 23);
  return millis === '000' ? iso.slice(0, 19) : `${iso.slice(0, 19)}.${millis}000`;
}

/** The v2 event `time`: whole UTC seconds with `Z`. */
export function wholeSecondsUtc(timeMs: number): string {
  return `${new Date(timeMs).toISOString().slice(0, 19)}Z`;
}
