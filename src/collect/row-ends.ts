import { MdqError } from '../errors.js';
import type { BlobTarget } from './target.js';

/** Encoded rows that fit in one append: whole rows only. */
export interface RowRun {
  text: string;
  bytes: number;
  /** Records in the run (CSV rows; JSONL lines, which for v2 are events). */
  rows: number;
}

/** One row is larger than one append: it cannot be stored whole, so it is not stored. */
export class RowTooLargeError extends MdqError {
  readonly rowBytes: number;

  constructor(rowBytes: number, maxBytes: number) {
    super(
      'row-too-large',
      `a row of ${rowBytes} bytes is larger than one append (${maxBytes} bytes) and cannot be stored whole`,
      { hint: 'keep rows under 4 MiB: store large payloads elsewhere and collect a reference' },
    );
    this.rowBytes = rowBytes;
  }
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Cuts encoded rows into runs of at most `maxBytes`, only at row ends, so that no append holds
 * part of a row (another process's append could land between two parts). CSV rows end at a line
 * feed outside quotes (the encoders quote every cell holding a quote or a line break, and double
 * inner quotes, so quote parity tells); JSONL records end at every line feed. Throws
 * RowTooLargeError when one row alone is larger than `maxBytes`.
 */
export function splitAtRowEnds(
  encoded: string | Buffer,
  naming: BlobTarget['naming'],
  maxBytes: number,
): RowRun[] {
  const bytes = typeof encoded === 'string' ? Buffer.from(encoded) : encoded;
  const runs: RowRun[] = [];
  let runStart = 0;
  let lastRowEnd = 0;
  let rowsInRun = 0;
  let inQuotes = false;
  const cut = (end: number) => {
    runs.push({
      text: bytes.toString('utf8', runStart, end),
      bytes: end - runStart,
      rows: rowsInRun,
    });
    runStart = end;
    rowsInRun = 0;
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE && naming === 'csv') {
      inQuotes = !inQuotes;
    } else if (byte === NEWLINE && !inQuotes) {
      const rowEnd = i + 1;
      if (rowEnd - lastRowEnd > maxBytes) {
        throw new RowTooLargeError(rowEnd - lastRowEnd, maxBytes);
      }
      if (rowEnd - runStart > maxBytes) {
        cut(lastRowEnd);
      }
      rowsInRun++;
      lastRowEnd = rowEnd;
    }
  }
  if (bytes.length - lastRowEnd > maxBytes) {
    throw new RowTooLargeError(bytes.length - lastRowEnd, maxBytes);
  }
  if (bytes.length > runStart) {
    if (bytes.length - runStart > maxBytes) {
      cut(lastRowEnd);
    }
    if (bytes.length > lastRowEnd) {
      rowsInRun++; // a last row without a line end (never written by mdq's encoders)
    }
    if (bytes.length > runStart) {
      cut(bytes.length);
    }
  }
  return runs;
}
