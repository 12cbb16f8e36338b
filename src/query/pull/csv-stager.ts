import { isUtf8 } from 'node:buffer';
import type { LayoutKind } from '../../layout/types.js';
import {
  AKS_GENERATED,
  isHeaderLine,
  positionalColumns,
  splitCsvLine,
  uniqueColumnNames,
  WORKBENCH_GENERATED,
} from './csv-columns.js';
import { UnparsableBlobError } from './unparsable.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A line longer than this is a broken quote, not data: quarantine rather than buffer the blob. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface StagedCsvShape {
  /** Data column names in staged order (after `_line`). */
  columns: string[];
  /** Data rows written. */
  rows: number;
  /** Some row had more fields than the header: read with null padding. */
  ragged: boolean;
}

/**
 * Rewrites a collector CSV into mdq's staging form while it streams to disk, so DuckDB can read
 * every staged file with known columns and no sniffing (tooling-notes §5):
 * - line ends outside quotes (CRLF, LF, lone CR, mixed) become LF; quoted line breaks stay;
 * - the header line is removed (its names become `columns`) and repeats of it are dropped;
 * - blank lines are dropped, a UTF-8 BOM is dropped, invalid UTF-8 is refused;
 * - short (ragged) rows are padded to the header width; each row is prefixed with the blob's
 *   ordinal in the pull and the row's ordinal in the blob.
 */
export class CsvStager {
  readonly #layout: LayoutKind;
  readonly #ordinal: number;
  #carry: Buffer = Buffer.alloc(0);
  #scanFrom = 0;
  #inQuotes = false;
  #commas = 0;
  #started = false;
  #header: Buffer | undefined;
  #columns: string[] | undefined;
  #width = 0;
  #maxWidth = 0;
  #rows = 0;
  /** Field positions of the correlation key: AKS id, or Workbench [$CorrelationId, $RequestId]. */
  #keyFields: number[] = [];
  readonly #rowsPerKey = new Map<string, number>();

  /** `ordinal` is the blob's number in the pull; every staged row starts with it. */
  constructor(layout: LayoutKind, ordinal = 0) {
    this.#layout = layout;
    this.#ordinal = ordinal;
  }

  /** Feeds raw blob bytes; returns the staged bytes to write. */
  push(chunk: Buffer): Buffer {
    let buf = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    if (!this.#started) {
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        this.#carry = buf;
        return Buffer.alloc(0);
      }
      this.#started = true;
      if (buf.subarray(0, 3).equals(BOM)) {
        buf = buf.subarray(3);
        this.#scanFrom = 0;
      }
    }
    const out: Buffer[] = [];
    let lineStart = 0;
    let inQuotes = this.#inQuotes;
    let commas = this.#commas;
    const length = buf.length;
    for (let i = this.#scanFrom; i < length; i += 1) {
      const byte = buf[i];
      if (byte === QUOTE) {
        inQuotes = !inQuotes;
      } else if (!inQuotes) {
        if (byte === COMMA) {
          commas += 1;
        } else if (byte === LF || byte === CR) {
          if (i > lineStart) {
            this.#line(buf.subarray(lineStart, i), commas + 1, out);
          }
          lineStart = i + 1;
          commas = 0;
        }
      }
    }
    this.#inQuotes = inQuotes;
    this.#commas = commas;
    if (!isUtf8(buf.subarray(0, lineStart))) {
      throw new UnparsableBlobError('is not valid UTF-8 text');
    }
    this.#carry = buf.subarray(lineStart);
    this.#scanFrom = this.#carry.length;
    if (this.#carry.length > MAX_LINE_BYTES) {
      throw new UnparsableBlobError('has a line longer than 64 MB (an unbalanced quote?)');
    }
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** The blob ended: flushes a last line without line break. */
  end(): Buffer {
    if (this.#inQuotes) {
      throw new UnparsableBlobError('ends inside a quoted field (unbalanced quote)');
    }
    const out: Buffer[] = [];
    const rest = this.#carry;
    if (rest.length > 0 && !(rest.length <= 3 && BOM.subarray(0, rest.length).equals(rest))) {
      if (!isUtf8(rest)) {
        throw new UnparsableBlobError('is not valid UTF-8 text');
      }
      this.#line(rest, this.#commas + 1, out);
    }
    this.#carry = Buffer.alloc(0);
    return Buffer.concat(out);
  }

  shape(): StagedCsvShape {
    const columns = [...(this.#columns ?? [])];
    for (let i = columns.length; i < this.#maxWidth; i += 1) {
      columns.push(String(i));
    }
    return {
      columns: uniqueColumnNames(columns),
      rows: this.#rows,
      ragged: this.#maxWidth > this.#width,
    };
  }

  #line(line: Buffer, fields: number, out: Buffer[]): void {
    if (this.#columns === undefined) {
      const first = splitCsvLine(line.toString('utf8'));
      this.#width = first.length;
      this.#maxWidth = first.length;
      if (isHeaderLine(first)) {
        this.#header = Buffer.from(line);
        this.#columns = first;
        this.#keyFields = correlationFields(first);
        return;
      }
      this.#columns = positionalColumns(this.#layout, first);
      this.#keyFields = correlationFields(this.#columns);
    } else if (this.#header?.equals(line)) {
      return; // the header again: a collector restarted and appended to the same blob
    }
    // _row: the row's ordinal within its correlation key in this blob (design.md data model),
    // counted here in file order so the database needs no window over the whole batch.
    const key = correlationKey(line, this.#keyFields);
    const row = this.#rowsPerKey.get(key) ?? 0;
    this.#rowsPerKey.set(key, row + 1);
    out.push(Buffer.from(`${this.#ordinal},${this.#rows},${row},`), line);
    if (fields < this.#width) {
      out.push(Buffer.from(','.repeat(this.#width - fields)));
    } else if (fields > this.#maxWidth) {
      this.#maxWidth = fields;
    }
    out.push(NEWLINE);
    this.#rows += 1;
  }
}

const NEWLINE = Buffer.from('\n');

function correlationFields(columns: readonly string[]): number[] {
  const aks = columns.indexOf(AKS_GENERATED[0]);
  if (aks >= 0) {
    return [aks];
  }
  const [, correlation, request] = WORKBENCH_GENERATED;
  return [columns.indexOf(correlation), columns.indexOf(request)].filter((i) => i >= 0);
}

/**
 * The correlation key of a staged line, as the loader computes `_correlation_id`: the first
 * non-empty of the key fields (Workbench: $CorrelationId, else $RequestId). Rows without one
 * share the empty key, so they are numbered in file order.
 */
function correlationKey(line: Buffer, fields: readonly number[]): string {
  if (fields.length === 0) {
    return '';
  }
  const last = Math.max(...fields);
  const values: string[] = [];
  let field = 0;
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i <= line.length && field <= last; i += 1) {
    const byte = i < line.length ? line[i] : COMMA;
    if (byte === QUOTE) {
      inQuotes = !inQuotes;
    } else if (byte === COMMA && !inQuotes) {
      if (fields.includes(field)) {
        values[field] = unquote(line.toString('utf8', start, i));
      }
      field += 1;
      start = i + 1;
    }
  }
  for (const index of fields) {
    const value = values[index];
    if (value !== undefined && value !== '') {
      return value;
    }
  }
  return '';
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"')
    ? text.slice(1, -1).replaceAll('""', '"')
    : text;
}
