/**
 * Timestamps as the Azure ML collectors wrote them (formats.md §1–3), all UTC.
 */

/**
 * Python's `datetime.utcnow().isoformat()`: naive (no zone), 6-digit microseconds, the fraction
 * omitted entirely when it is zero. JS clocks have millisecond resolution, so the last three
 * digits are zeros.
 */
export function pythonIsoformat(timeMs: number): string {
  const iso = new Date(timeMs).toISOString(); // 2024-01-02T03:04:05.678Z
  const millis = iso.slice(20, 23);
  return millis === '000' ? iso.slice(0, 19) : `${iso.slice(0, 19)}.${millis}000`;
}

/** The v2 event `time`: whole UTC seconds with `Z`. */
export function wholeSecondsUtc(timeMs: number): string {
  return `${new Date(timeMs).toISOString().slice(0, 19)}Z`;
}
