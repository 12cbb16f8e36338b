import { isUtf8 } from 'node:buffer';
import type { ColumnRegistry } from './column-registry.js';
import { UnparsableBlobError } from './unparsable.js';

const LF = 0x0a;

/** Fetches and parses the payload a v2 `dataref` points to. */
export type DatarefReader = (reference: string) => Promise<unknown>;

export interface StagedJsonlShape {
  /** Data column names in staged order (after `_blob_id,_line,_corr,_time,_mv,_idx,_row`). */
  columns: string[];
  rows: number;
  ragged: boolean;
  /** The first event's `modelversion`, for the manifest. */
  modelVersion: string | undefined;
}

/** Columns every staged v2 row starts with, before the data columns. */
export const V2_STAGED_PREFIX = [
  '_blob_id',
  '_stream',
  '_line',
  '_corr',
  '_time',
  '_mv',
  '_idx',
  '_row',
] as const;

/**
 * Turns v2 JSONL events (formats.md §3) into staged CSV rows: one row per element of `data`
 * (or of the `dataref` payload), with the event's correlation id, time, model version and the
 * element's index. Key order, unknown keys, `\/` escapes and nulls are JSON.parse's business;
 * nested values are kept as JSON text.
 */
export class JsonlStager {
  readonly #registry: ColumnRegistry;
  readonly #readDataref: DatarefReader;
  /** `<blob id>,<stream>`: what every staged row of this blob starts with (blobs.ts). */
  readonly #blobFields: string;
  /**
   * The bytes of an unfinished line, as the chunks they came in: joined once, when the line
   * ends. Joining them with every chunk made a long line quadratic (100 MB: 49 s).
   */
  readonly #carry: Buffer[] = [];
  #lineNumber = 0;
  #rows = 0;
  #minWidth = Number.POSITIVE_INFINITY;
  #maxWidth = 0;
  #modelVersion: string | undefined;
  #longest = 0;
  readonly #rowsPerKey = new Map<string, number>();

  constructor(registry: ColumnRegistry, readDataref: DatarefReader, blobId = 0, stream = 0) {
    this.#registry = registry;
    this.#readDataref = readDataref;
    this.#blobFields = `${blobId},${stream}`;
  }

  async push(chunk: Buffer): Promise<string> {
    // Only the new chunk is searched: the carried bytes are known to hold no line break.
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf < 0) {
      if (chunk.length > 0) {
        this.#carry.push(chunk);
      }
      return '';
    }
    const region = this.#takeCarry(chunk.subarray(0, lastLf + 1));
    if (lastLf + 1 < chunk.length) {
      this.#carry.push(chunk.subarray(lastLf + 1));
    }
    return this.#lines(region);
  }

  async end(): Promise<string> {
    const rest = this.#takeCarry(Buffer.alloc(0));
    return rest.length === 0 ? '' : this.#lines(rest);
  }

  /** The carried bytes followed by `head`, in one buffer; the carry is then empty. */
  #takeCarry(head: Buffer): Buffer {
    if (this.#carry.length === 0) {
      return head;
    }
    this.#carry.push(head);
    const joined = Buffer.concat(this.#carry);
    this.#carry.length = 0;
    return joined;
  }

  shape(): StagedJsonlShape {
    return {
      columns: this.#registry.names.slice(0, this.#maxWidth),
      rows: this.#rows,
      ragged: this.#rows > 0 && this.#minWidth !== this.#maxWidth,
      modelVersion: this.#modelVersion,
    };
  }

  /** Bytes of the longest staged line so far (an upper bound: 3 bytes per UTF-16 unit). */
  longestLine(): number {
    return this.#longest;
  }

  async #lines(region: Buffer): Promise<string> {
    if (!isUtf8(region)) {
      throw new UnparsableBlobError('is not valid UTF-8 text');
    }
    let out = '';
    const lines = region.toString('utf8').split('\n');
    if (lines.at(-1) === '') {
      lines.pop(); // the region ends with a line break, not with another line
    }
    for (const raw of lines) {
      this.#lineNumber += 1;
      const line = raw.trim();
      if (line === '') {
        continue;
      }
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw new UnparsableBlobError(`line ${this.#lineNumber} is not JSON`);
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        throw new UnparsableBlobError(`line ${this.#lineNumber} is not a JSON object`);
      }
      out += await this.#event(event as Record<string, unknown>);
    }
    return out;
  }

  async #event(event: Record<string, unknown>): Promise<string> {
    const rows = await this.#rowsOf(event);
    const corr = textOf(event.correlationid ?? event.xrequestid);
    const time = textOf(event.time);
    const modelVersion = textOf(event.modelversion);
    this.#modelVersion ??= modelVersion;
    const head = `${this.#blobFields},${this.#lineNumber},${csvField(corr)},${csvField(time)},${csvField(modelVersion)},`;
    const key = corr ?? '';
    let out = '';
    rows.forEach((row, index) => {
      const values: unknown[] = [];
      for (const [key, value] of entriesOf(row)) {
        values[this.#registry.position(key)] = value;
      }
      const width = this.#registry.size;
      this.#minWidth = Math.min(this.#minWidth, width);
      this.#maxWidth = Math.max(this.#maxWidth, width);
      // _row: ordinal within the correlation id in file order; the `data` index when an id
      // appears once (the usual case), and still unique when a custom id is reused.
      const ordinal = this.#rowsPerKey.get(key) ?? 0;
      this.#rowsPerKey.set(key, ordinal + 1);
      let line = `${head}${index},${ordinal}`;
      for (let i = 0; i < width; i += 1) {
        line += `,${csvField(values[i])}`;
      }
      this.#longest = Math.max(this.#longest, line.length * 3 + 1);
      out += `${line}\n`;
      this.#rows += 1;
    });
    return out;
  }

  async #rowsOf(event: Record<string, unknown>): Promise<unknown[]> {
    let data = event.data;
    if ((data === undefined || data === null) && typeof event.dataref === 'string') {
      try {
        data = await this.#readDataref(event.dataref);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new UnparsableBlobError(`line ${this.#lineNumber}: dataref unreadable (${why})`);
      }
    }
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        return [{ value: data }];
      }
    }
    if (data === undefined || data === null) {
      return [];
    }
    return Array.isArray(data) ? data : [data];
  }
}

function entriesOf(row: unknown): Array<[string, unknown]> {
  if (Array.isArray(row)) {
    return row.map((value, i) => [String(i), value]);
  }
  if (typeof row === 'object' && row !== null) {
    return Object.entries(row);
  }
  return [['value', row]];
}

function textOf(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** NULL is an empty unquoted field; every value is quoted (read with allow_quoted_nulls=false). */
function csvField(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replaceAll('"', '""')}"`;
}
