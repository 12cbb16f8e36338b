import { isUtf8 } from 'node:buffer';
import { AKS_GENERATED_COLUMNS } from '../../layout/columns.js';
import type { LayoutKind } from '../../layout/types.js';
import { classifyField, type InferredType, isSampledRow, widen } from './column-types.js';
import { KEY_COLUMNS } from './correlation-key.js';
import { isHeaderLine, positionalColumns, splitCsvLine, uniqueColumnNames } from './csv-columns.js';
import { KeyCounter } from './key-counter.js';
import { UnparsableBlobError } from './unparsable.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A line longer than this is a broken quote, not data: quarantine rather than buffer the blob. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * A line with more fields than this is not a table's row (one 50 MB line of `1,1,1,…` made
 * 25 million columns, and the pull crashed): the blob is quarantined. Far above any model's
 * inputs written as CSV (a 224×224×3 image flattened is 150,528).
 */
const MAX_FIELDS = 1_000_000;

/** What the stager learnt while staging: guessed types and the longest staged line. */
export interface StagedCsvSample {
  /** Per data column (staged order), from the first rows of the blob; undefined: only empties. */
  types: InferredType[];
  /** Bytes of the longest staged line (sizes DuckDB's line buffer). */
  longestLine: number;
}

export interface StagedCsvShape {
  /** Data column names in staged order (after the prefix: `_blob_id,_stream,_row`). */
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
 *   id and stream and the row's ordinal within its correlation key.
 */
export class CsvStager {
  readonly #layout: LayoutKind;
  /** `<blob id>,<stream>,`: the staged prefix every row of this blob starts with. */
  readonly #blobFields: Uint8Array;
  #carry: Buffer = Buffer.alloc(0);
  #scanFrom = 0;
  #inQuotes = false;
  #commas = 0;
  #started = false;
  #header: Buffer | undefined;
  #columns: string[] | undefined;
  #width = 0;
  #maxWidth = 0;
  /** Headerless: the column names are positions ("0", "1", …), not a header's. */
  #positional = false;
  /**
   * Values of the first line of a headerless AKS file, whose eight generated columns come
   * last: a line of another width is realigned (#realigned); undefined otherwise.
   */
  #aksValues: number | undefined;
  #rows = 0;
  /** Field positions of the correlation key (correlation-key.ts) that the scan tracks. */
  #keyFields: number[] = [];
  /** All of them when there are more than the scan tracks: each line's key is read from it. */
  #lineKeyFields: number[] | undefined;
  /** Where the key fields of the line being scanned start and end (-1: not reached). */
  readonly #keyStart = [-1, -1];
  readonly #keyEnd = [-1, -1];
  readonly #rowsPerKey = KeyCounter.acquire();
  #released = false;
  #types: InferredType[] = [];
  #longest = 0;
  /** Carry plus chunk of the current push (see #join), grown as needed. */
  #joined: Buffer = Buffer.alloc(0);
  /** Staged output of the current push, grown as needed. */
  #out: Buffer = Buffer.alloc(0);
  #outLength = 0;

  /** Every staged row starts with the blob's id in the database and its stream (blobs.ts). */
  constructor(layout: LayoutKind, blobId = 0, stream = 0) {
    this.#layout = layout;
    this.#blobFields = Buffer.from(`${blobId},${stream},`, 'latin1');
  }

  /**
   * Feeds raw blob bytes; returns the staged bytes to write. The returned bytes live in the
   * stager's own buffer, reused by the next `push` or `end`: copy them before calling again
   * (a pull stages ~1 GB: allocating its output afresh each time cost ~100 full GCs).
   */
  push(chunk: Buffer): Buffer {
    let buf = this.#join(chunk);
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
    // Every staged line is its input line plus a prefix of three numbers (< 96 bytes) and
    // padding commas; reserve for the common case and grow when a line needs more.
    this.#reserve(buf.length + (buf.length >>> 3) + 1024, false);
    let lineStart = 0;
    let inQuotes = this.#inQuotes;
    let commas = this.#commas;
    const length = buf.length;
    const keyStart = this.#keyStart;
    const keyEnd = this.#keyEnd;
    // Key fields k are tracked by comma count: field k starts after comma k, ends at comma k+1.
    let k0 = this.#keyFields[0] ?? -2;
    let k1 = this.#keyFields[1] ?? -2;
    const from = this.#scanFrom;
    const { words, wordsFrom, wordsEnd } = wordsOf(buf);
    for (let i = from; i < length; i += 1) {
      // Four bytes at a time while none of them can be special (see hasByteBelowDash).
      if (i >= wordsFrom && ((i - wordsFrom) & 3) === 0) {
        let w = (i - wordsFrom) >>> 2;
        while (i < wordsEnd && !hasByteBelowDash(words[w] as number)) {
          i += 4;
          w += 1;
        }
        if (i >= length) {
          break;
        }
      }
      const byte = buf[i] as number;
      // Quote, comma, CR and LF all sort at or below the comma: one test skips every other byte.
      if (byte > COMMA) {
        continue;
      }
      if (byte === QUOTE) {
        inQuotes = !inQuotes;
      } else if (!inQuotes) {
        if (byte === COMMA) {
          commas += 1;
          if (commas === k0) {
            keyStart[0] = i + 1;
          } else if (commas === k0 + 1) {
            keyEnd[0] = i;
          }
          if (commas === k1) {
            keyStart[1] = i + 1;
          } else if (commas === k1 + 1) {
            keyEnd[1] = i;
          }
        } else if (byte === LF || byte === CR) {
          if (i > lineStart) {
            this.#line(buf, lineStart, i, commas + 1);
            // The first line names the columns, and with them the key fields.
            k0 = this.#keyFields[0] ?? -2;
            k1 = this.#keyFields[1] ?? -2;
          }
          lineStart = i + 1;
          commas = 0;
          keyStart[0] = k0 === 0 ? lineStart : -1;
          keyStart[1] = k1 === 0 ? lineStart : -1;
          keyEnd[0] = -1;
          keyEnd[1] = -1;
        }
      }
    }
    this.#inQuotes = inQuotes;
    this.#commas = commas;
    if (!isUtf8(buf.subarray(0, lineStart))) {
      throw new UnparsableBlobError('is not valid UTF-8 text');
    }
    this.#carry = buf.subarray(lineStart);
    // Positions of a partial line move with it to the start of the carry.
    for (let k = 0; k < 2; k += 1) {
      if ((keyStart[k] as number) >= 0) {
        keyStart[k] = (keyStart[k] as number) - lineStart;
      }
      if ((keyEnd[k] as number) >= 0) {
        keyEnd[k] = (keyEnd[k] as number) - lineStart;
      }
    }
    this.#scanFrom = this.#carry.length;
    if (this.#carry.length > MAX_LINE_BYTES) {
      throw new UnparsableBlobError('has a line longer than 64 MB (an unbalanced quote?)');
    }
    return this.#take();
  }

  /** The blob ended: flushes a last line without line break. */
  end(): Buffer {
    if (this.#inQuotes) {
      throw new UnparsableBlobError('ends inside a quoted field (unbalanced quote)');
    }
    const rest = this.#carry;
    this.#reserve(rest.length * 2 + 1024, false);
    if (rest.length > 0 && !(rest.length <= 3 && BOM.subarray(0, rest.length).equals(rest))) {
      if (!isUtf8(rest)) {
        throw new UnparsableBlobError('is not valid UTF-8 text');
      }
      this.#lastLine(rest);
    }
    this.#carry = Buffer.alloc(0);
    if (!this.#released) {
      // Every row is counted: the next blob's stager may reuse the counter.
      this.#released = true;
      KeyCounter.release(this.#rowsPerKey);
    }
    return this.#take();
  }

  /**
   * A last line without a line break: a collector ends every line with one, so this one may
   * have been cut short by a crash or a copy. It loads only when it is whole as far as can be
   * told (all the header's fields); a short one, or a header with no line break and nothing
   * after it (one 50 MB line read as 0 rows), quarantines the blob rather than load a guess.
   */
  #lastLine(rest: Buffer): void {
    const fields = this.#commas + 1;
    if (this.#columns === undefined) {
      this.#line(rest, 0, rest.length, fields);
      if (this.#rows === 0) {
        throw new UnparsableBlobError(
          `has one line of ${rest.length} bytes and no line break: a header cut short, or not CSV`,
        );
      }
      return;
    }
    if (fields < this.#width) {
      throw new UnparsableBlobError(
        `ends with a line cut short: ${fields} of ${this.#width} fields and no line break`,
      );
    }
    this.#line(rest, 0, rest.length, fields);
  }

  shape(): StagedCsvShape {
    const columns = [...(this.#columns ?? [])];
    // A longer line's extra fields are named by position: after a header, their absolute
    // one; in a headerless file, pandas' names continue after the values ("0", "1", …), so a
    // ragged line's second value is "1" whatever columns the collector generated.
    let next = this.#positional
      ? columns.filter((name) => /^\d+$/.test(name)).length
      : columns.length;
    for (let i = columns.length; i < this.#maxWidth; i += 1) {
      columns.push(String(next++));
    }
    return {
      columns: uniqueColumnNames(columns),
      rows: this.#rows,
      ragged: this.#maxWidth > this.#width,
    };
  }

  /**
   * Types guessed from the first rows (the loader reads with them and falls back to the careful
   * way when a later value does not fit), so DuckDB needs no sample scan of the staged file.
   */
  sample(): StagedCsvSample {
    const width = Math.max(this.#maxWidth, this.#types.length);
    return {
      types: Array.from({ length: width }, (_, i) => this.#types[i]),
      longestLine: this.#longest,
    };
  }

  #guess(line: Buffer): void {
    const fields = splitCsvLine(line.toString('utf8'));
    for (let i = 0; i < fields.length; i += 1) {
      const before = this.#types[i];
      if (before === 'VARCHAR') {
        continue; // nothing widens text
      }
      const incoming = classifyField(fields[i] as string);
      this.#types[i] = before === undefined ? incoming : (widen(before, incoming) as InferredType);
    }
  }

  /** One input line `buf[start, end)` with `fields` fields (outside quotes). */
  #line(buf: Buffer, start: number, end: number, fields: number): void {
    if (fields > MAX_FIELDS) {
      throw new UnparsableBlobError(
        `has a line of ${fields} fields (more than ${MAX_FIELDS}): not a table of rows`,
      );
    }
    if (this.#columns === undefined) {
      const line = buf.subarray(start, end);
      const first = splitCsvLine(line.toString('utf8'));
      this.#width = first.length;
      this.#maxWidth = first.length;
      if (isHeaderLine(first)) {
        this.#header = Buffer.from(line);
        this.#columns = first;
        this.#trackKeyFields(correlationFields(first));
        return;
      }
      this.#columns = positionalColumns(this.#layout, first);
      this.#positional = true;
      const generatedLast = AKS_GENERATED_COLUMNS.every(
        (name, i) => this.#columns?.[first.length - AKS_GENERATED_COLUMNS.length + i] === name,
      );
      if (generatedLast) {
        this.#aksValues = first.length - AKS_GENERATED_COLUMNS.length;
      }
      const keyFields = correlationFields(this.#columns);
      this.#trackKeyFields(keyFields);
      // The key positions of this first line were not tracked (the fields were unknown).
      const row = this.#rowsPerKey.countText(correlationKey(line, keyFields));
      this.#emit(buf, start, end, fields, row);
      return;
    }
    const header = this.#header;
    if (
      header !== undefined &&
      header.length === end - start &&
      buf.compare(header, 0, header.length, start, end) === 0
    ) {
      return; // the header again: a collector restarted and appended to the same blob
    }
    if (this.#aksValues !== undefined && fields !== this.#width) {
      this.#realigned(buf.toString('utf8', start, end));
      return;
    }
    const row =
      this.#lineKeyFields === undefined
        ? this.#rowOfKey(buf, end)
        : this.#rowsPerKey.countText(correlationKey(buf.subarray(start, end), this.#lineKeyFields));
    this.#emit(buf, start, end, fields, row);
  }

  /**
   * A headerless AKS line of another width than the first (a numpy 1-D prediction of another
   * request size): its values, then the eight generated fields. Staged with the first line's
   * values where the first line had them (padded when fewer), the generated fields in their
   * columns, and the extra values after them, so `$aml_dc_correlation_id` stays the key.
   */
  #realigned(text: string): void {
    const fields = splitCsvLine(text);
    const generated = AKS_GENERATED_COLUMNS.length;
    const values = fields.length - generated;
    const width = this.#aksValues ?? 0;
    if (values < 0) {
      const line = Buffer.from(text, 'utf8');
      this.#emit(line, 0, line.length, fields.length, this.#rowsPerKey.countText(''));
      return;
    }
    const first = fields.slice(0, Math.min(values, width));
    while (first.length < width) {
      first.push('');
    }
    const staged = [...first, ...fields.slice(values), ...fields.slice(width, values)];
    const line = Buffer.from(staged.map(csvField).join(','), 'utf8');
    this.#emit(
      line,
      0,
      line.length,
      staged.length,
      this.#rowsPerKey.countText(fields[values] ?? ''),
    );
  }

  /**
   * The scan tracks two key fields. Only a file with AKS's and both of Workbench's key columns
   * has three (no collector writes one): its lines' keys are read from each line instead.
   */
  #trackKeyFields(fields: number[]): void {
    if (fields.length <= this.#keyStart.length) {
      this.#keyFields = fields;
    } else {
      this.#lineKeyFields = fields;
    }
  }

  /**
   * _row: the row's ordinal within its correlation key in this blob (design.md data model),
   * counted here in file order so the database needs no window over the whole batch. The key
   * is the first non-empty key field (correlation-key.ts).
   */
  #rowOfKey(buf: Buffer, lineEnd: number): number {
    const keys = this.#keyFields.length;
    for (let k = 0; k < keys; k += 1) {
      const from = this.#keyStart[k] as number;
      if (from < 0) {
        continue; // the line has fewer fields: empty
      }
      let to = this.#keyEnd[k] as number;
      if (to < 0) {
        to = lineEnd;
      }
      if (to <= from || (to - from === 2 && buf[from] === QUOTE && buf[from + 1] === QUOTE)) {
        continue;
      }
      return this.#rowsPerKey.count(buf, from, to);
    }
    return this.#rowsPerKey.countText('');
  }

  #emit(buf: Buffer, start: number, end: number, fields: number, row: number): void {
    const length = end - start;
    const pad = fields < this.#width ? this.#width - fields : 0;
    this.#reserve(length + pad + 96, true);
    let at = this.#outLength;
    const out = this.#out;
    const blobFields = this.#blobFields;
    for (let i = 0; i < blobFields.length; i += 1) {
      out[at++] = blobFields[i] as number;
    }
    at = writeNumber(out, at, row);
    out[at++] = COMMA;
    at += buf.copy(out, at, start, end);
    for (let p = 0; p < pad; p += 1) {
      out[at++] = COMMA;
    }
    out[at++] = LF;
    this.#outLength = at;
    if (fields > this.#maxWidth) {
      this.#maxWidth = fields;
    }
    if (isSampledRow(this.#rows)) {
      this.#guess(buf.subarray(start, end));
    }
    if (length + 96 + pad > this.#longest) {
      this.#longest = length + 96 + pad;
    }
    this.#rows += 1;
  }

  /** Room for `bytes` more output bytes (keeping what is written when `keep`). */
  #reserve(bytes: number, keep: boolean): void {
    const needed = (keep ? this.#outLength : 0) + bytes;
    if (this.#out.length >= needed) {
      return;
    }
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#out.length * 2));
    if (keep) {
      this.#out.copy(grown, 0, 0, this.#outLength);
    }
    this.#out = grown;
  }

  /** Hands out what this push staged; the next push writes over it. */
  #take(): Buffer {
    const staged = this.#out.subarray(0, this.#outLength);
    this.#outLength = 0;
    return staged;
  }

  /**
   * The partial line carried from the last chunk followed by `chunk`, in a buffer reused from
   * push to push. The carry may itself live in that buffer: `set` copies overlapping ranges
   * correctly (the spec clones a source that shares the target's memory).
   */
  #join(chunk: Buffer): Buffer {
    const carry = this.#carry;
    if (carry.length === 0) {
      return chunk;
    }
    const needed = carry.length + chunk.length;
    if (this.#joined.length < needed) {
      this.#joined = Buffer.allocUnsafe(Math.max(needed, this.#joined.length * 2));
    }
    this.#joined.set(carry, 0);
    this.#joined.set(chunk, carry.length);
    return this.#joined.subarray(0, needed);
  }
}

/**
 * The 4-byte-aligned middle of `buf` as 32-bit words (`buf[wordsFrom, wordsEnd)`), so the scan
 * can skip plain text a word at a time: CSV is mostly digits and letters. Staging 500 MB of AKS
 * CSV went from 1.15 s to 0.65 s.
 */
function wordsOf(buf: Buffer): { words: Uint32Array; wordsFrom: number; wordsEnd: number } {
  const start = (buf.byteOffset + 3) & ~3;
  const end = (buf.byteOffset + buf.length) & ~3;
  if (end <= start) {
    return { words: new Uint32Array(0), wordsFrom: 0, wordsEnd: 0 };
  }
  return {
    words: new Uint32Array(buf.buffer, start, (end - start) >>> 2),
    wordsFrom: start - buf.byteOffset,
    wordsEnd: end - buf.byteOffset,
  };
}

/**
 * Whether any byte of the word is below '-' (0x2d): quote, comma, CR and LF all are. The
 * classic "has less than" bit trick: exact for a threshold up to 128, any byte order.
 */
function hasByteBelowDash(word: number): boolean {
  return ((word - 0x2d2d2d2d) & ~word & 0x80808080) !== 0;
}

/** Writes a non-negative integer's decimal digits at `at`; returns the position after them. */
function writeNumber(out: Buffer, at: number, value: number): number {
  if (value < 10) {
    out[at] = 0x30 + value;
    return at + 1;
  }
  // Digits by hand: String(value) per row allocated a string on every staged line.
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) {
    digits += 1;
  }
  let rest = value;
  for (let p = at + digits - 1; p >= at; p -= 1) {
    out[p] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** Positions of the key columns in precedence order, matched as DuckDB matches names. */
function correlationFields(columns: readonly string[]): number[] {
  const names = columns.map((column) => column.toLowerCase());
  return KEY_COLUMNS.map((key) => names.indexOf(key.toLowerCase())).filter((i) => i >= 0);
}

/**
 * The correlation key of a staged line, as the views show `_correlation_id`: the first
 * non-empty of the key fields (correlation-key.ts). Rows without one share the empty key, so
 * they are numbered in file order.
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

/** A field as CSV: quoted when it holds a quote, a comma or a line break. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"')
    ? text.slice(1, -1).replaceAll('""', '"')
    : text;
}
