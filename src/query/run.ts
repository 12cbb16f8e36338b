import {
  type DuckDBConnection,
  type DuckDBResult,
  type DuckDBType,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import { InterruptedError, QueryError, throwIfAborted } from '../errors.js';
import { quoteLiteral } from './sql.js';

/**
 * How a formatter should write a column's values. Every value that leaves this module is
 * JSON-safe (`Cell`): 64-bit and wider integers and DECIMAL arrive as exact decimal strings
 * (kind `exact-number`), temporals as ISO-8601 strings, nested values as JSON arrays/objects.
 */
export type ValueKind = 'boolean' | 'number' | 'exact-number' | 'text' | 'nested';

export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

export interface ResultColumn {
  /** Unique within the result (DuckDB's deduplicated name), so it can key a JSON object. */
  name: string;
  /** DuckDB's type text, e.g. `BIGINT`, `TIMESTAMP WITH TIME ZONE`. */
  type: string;
  kind: ValueKind;
}

export interface QueryStream {
  columns: readonly ResultColumn[];
  /** Rows in DuckDB's chunks (≤ 2,048 rows each), pulled one chunk at a time: memory stays bounded. */
  chunks(): AsyncIterable<Cell[][]>;
}

export interface RunQueryOptions {
  /** Aborting interrupts DuckDB (`connection.interrupt()`); the call then throws InterruptedError. */
  signal?: AbortSignal;
}

/**
 * Runs user SQL unchanged. Several `;`-separated statements are run in order and the last one's
 * result is streamed (DuckDB's streaming result: chunks are computed as they are read).
 * DuckDB errors become one QueryError whose hint points at what to do next.
 */
export async function streamQuery(
  connection: DuckDBConnection,
  sql: string,
  options: RunQueryOptions = {},
): Promise<QueryStream> {
  const { signal } = options;
  if (signal?.aborted) {
    throw new InterruptedError();
  }
  const stopInterrupting = interruptOnAbort(connection, signal);
  let result: DuckDBResult;
  try {
    result = await runStatements(connection, sql);
    throwIfAborted(signal);
  } catch (error) {
    stopInterrupting();
    throw await toQueryError(connection, error, signal, sql);
  }
  const names = result.deduplicatedColumnNames();
  const columns = describeColumns(
    result.columnTypes().map((type, index) => ({ name: names[index] ?? `column${index}`, type })),
  );
  return {
    columns,
    async *chunks() {
      try {
        while (true) {
          // An interrupt that landed before DuckDB started executing is reset by the execution
          // itself, so a fired signal is checked here too, not only through interrupt().
          if (signal?.aborted) {
            throw new InterruptedError('query interrupted');
          }
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) {
            return;
          }
          yield normaliseRows(chunk.convertRows(JsonDuckDBValueConverter) as Cell[][], columns);
        }
      } catch (error) {
        throw await toQueryError(connection, error, signal, sql);
      } finally {
        stopInterrupting();
      }
    },
  };
}

const REINTERRUPT_MS = 100;

/**
 * Wires an AbortSignal to `connection.interrupt()`. DuckDB clears its interrupt flag when a
 * query starts executing, so an interrupt that lands while the statement is still being parsed
 * or prepared is lost; after an abort the interrupt is therefore repeated until the query
 * settles. Returns the function that stops all of it.
 */
export function interruptOnAbort(
  connection: DuckDBConnection,
  signal: AbortSignal | undefined,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    connection.interrupt();
    timer = setInterval(() => connection.interrupt(), REINTERRUPT_MS);
    timer.unref();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    signal?.removeEventListener('abort', onAbort);
    clearInterval(timer);
  };
}

/** Runs SQL and reads the whole (small) result: for `.tables`, `ls` and tests. */
export async function queryRows(
  connection: DuckDBConnection,
  sql: string,
  options: RunQueryOptions = {},
): Promise<{ columns: readonly ResultColumn[]; rows: Cell[][] }> {
  const stream = await streamQuery(connection, sql, options);
  const rows: Cell[][] = [];
  for await (const chunk of stream.chunks()) {
    rows.push(...chunk);
  }
  return { columns: stream.columns, rows };
}

async function runStatements(connection: DuckDBConnection, sql: string): Promise<DuckDBResult> {
  const extracted = await connection.extractStatements(sql);
  if (extracted.count === 0) {
    throw new QueryError('no SQL statement given', { hint: 'e.g. mdq sql "select * from scored"' });
  }
  for (let index = 0; index < extracted.count - 1; index += 1) {
    const statement = await extracted.prepare(index);
    await statement.run();
  }
  const last = await extracted.prepare(extracted.count - 1);
  return last.stream();
}

export function describeColumns(
  columns: readonly { name: string; type: DuckDBType }[],
): ResultColumn[] {
  return columns.map(({ name, type }) => ({
    name,
    type: type.toString(),
    kind: kindOf(type.typeId),
  }));
}

function kindOf(typeId: DuckDBTypeId): ValueKind {
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'number';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.BIGNUM:
      return 'exact-number';
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.VARIANT:
      return 'nested';
    default:
      return 'text';
  }
}

const TIMESTAMP_TYPES = new Set([
  'TIMESTAMP',
  'TIMESTAMP_S',
  'TIMESTAMP_MS',
  'TIMESTAMP_NS',
  'TIMESTAMP WITH TIME ZONE',
]);

/**
 * Rows converted here (the table view, and statements other than one SELECT, which
 * text-result.ts cannot write) follow value-format.ts where it matters most. DuckDB renders
 * timestamps as `2024-01-02 03:04:05.123456+00`; ISO-8601 wants the `T` and a `Z` or `±hh:mm`
 * offset. Naive TIMESTAMPs stay naive (no invented zone); mdq's are UTC by design. Intervals
 * arrive as `{months, days, micros}` and leave as ISO-8601 durations.
 */
function normaliseRows(rows: Cell[][], columns: readonly ResultColumn[]): Cell[][] {
  const rewrites = columns.flatMap((column, index) => {
    const rewrite = TIMESTAMP_TYPES.has(column.type)
      ? isoTimestampCell
      : column.type === 'INTERVAL'
        ? isoDurationCell
        : undefined;
    return rewrite ? [{ index, rewrite }] : [];
  });
  if (rewrites.length === 0) {
    return rows;
  }
  for (const row of rows) {
    for (const { index, rewrite } of rewrites) {
      row[index] = rewrite(row[index] ?? null);
    }
  }
  return rows;
}

function isoTimestampCell(value: Cell): Cell {
  return typeof value === 'string' ? isoTimestamp(value) : value;
}

function isoDurationCell(value: Cell): Cell {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return value;
  }
  const { months, days, micros } = value;
  return isoDuration(Number(months), Number(days), BigInt(String(micros)));
}

/** The same ISO-8601 duration value-format.ts writes: each part keeps its own sign. */
export function isoDuration(months: number, days: number, micros: bigint): string {
  const part = (amount: number | bigint, unit: string) =>
    amount === 0 || amount === 0n ? '' : `${amount}${unit}`;
  const hours = micros / 3_600_000_000n;
  const minutes = (micros % 3_600_000_000n) / 60_000_000n;
  const secondMicros = micros % 60_000_000n;
  const date = part(Math.trunc(months / 12), 'Y') + part(months % 12, 'M') + part(days, 'D');
  const time =
    part(hours, 'H') +
    part(minutes, 'M') +
    (secondMicros === 0n ? '' : `${seconds(secondMicros)}S`);
  if (time !== '') {
    return `P${date}T${time}`;
  }
  return date === '' ? 'PT0S' : `P${date}`;
}

function seconds(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const magnitude = micros < 0n ? -micros : micros;
  const fraction = (magnitude % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${magnitude / 1_000_000n}${fraction === '' ? '' : `.${fraction}`}`;
}

export function isoTimestamp(text: string): string {
  const match =
    /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-])(\d{2})(?::?(\d{2}))?)?$/.exec(
      text,
    );
  if (!match) {
    return text; // infinity, BC dates: keep DuckDB's own spelling
  }
  const [, date, time, sign, hours, minutes] = match;
  if (sign === undefined) {
    return `${date}T${time}`;
  }
  const offset = `${sign}${hours}:${minutes ?? '00'}`;
  return `${date}T${time}${offset === '+00:00' || offset === '-00:00' ? 'Z' : offset}`;
}

/**
 * Checks SQL without running it (parse, bind, plan), so a command can reject a bad query before
 * it starts work, with the same error `streamQuery` would give.
 */
export async function checkQuery(connection: DuckDBConnection, sql: string): Promise<void> {
  try {
    const extracted = await connection.extractStatements(sql);
    for (let index = 0; index < extracted.count; index += 1) {
      await extracted.prepare(index);
    }
  } catch (error) {
    throw await toQueryError(connection, error, undefined, sql);
  }
}

export async function toQueryError(
  connection: DuckDBConnection,
  error: unknown,
  signal: AbortSignal | undefined,
  sql: string,
): Promise<Error> {
  if (error instanceof QueryError || error instanceof InterruptedError) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (signal?.aborted || /INTERRUPT/i.test(message)) {
    return new InterruptedError('query interrupted');
  }
  // DuckDB: `<Kind> Error: what`, maybe lines of candidates, then `LINE n: <sql>` and a caret.
  const [first = message, ...more] = message.split('\n');
  const what = first.replace(/^Failed to extract statements: /, '').trim();
  const excerptAt = more.findIndex((line) => /^LINE \d+: /.test(line));
  const missingTable = /Table with name .* does not exist|Table .* does not exist/i.test(message);
  const notes = (excerptAt === -1 ? more : more.slice(0, excerptAt))
    .map((line) => line.trim())
    // DuckDB's own "Did you mean" for a missing table names system tables; the hint lists ours.
    .filter((line) => line !== '' && !(missingTable && line.startsWith('Did you mean')))
    .slice(0, MAX_NOTE_LINES);
  const excerpt =
    excerptAt === -1
      ? /at end of input/.test(what)
        ? endOfInputExcerpt(sql)
        : []
      : more.slice(excerptAt, excerptAt + 2).map((line) => line.replaceAll('\t', ' '));
  const hint = await hintFor(connection, message);
  return new QueryError(what, {
    cause: error,
    detail: [...notes, ...excerpt],
    ...(hint === undefined ? {} : { hint }),
  });
}

const MAX_NOTE_LINES = 6;

/** DuckDB points at nothing when the SQL stops short: the caret goes after its last character. */
function endOfInputExcerpt(sql: string): string[] {
  const lines = sql.trimEnd().split('\n');
  const last = (lines[lines.length - 1] ?? '').replaceAll('\t', ' ');
  const prefix = `LINE ${lines.length}: `;
  return [`${prefix}${last}`, `${' '.repeat(prefix.length + last.length)}^`];
}

async function hintFor(connection: DuckDBConnection, message: string): Promise<string | undefined> {
  if (/Table with name .* does not exist|Table .* does not exist/i.test(message)) {
    const tables = await listTableNames(connection).catch(() => []);
    return tables.length > 0
      ? `available tables and views: ${tables.join(', ')}`
      : 'the database has no tables yet; run mdq pull first';
  }
  if (/column .* not found|Referenced column/i.test(message)) {
    return 'list a table’s columns with: mdq sql "describe <table>"';
  }
  return /Parser Error/.test(message) ? 'check the SQL syntax (DuckDB dialect)' : undefined;
}

/** Tables and views of the main schema, sorted (user-facing names only). */
export async function listTableNames(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `select table_name from information_schema.tables where table_schema = ${quoteLiteral('main')} order by table_name`,
  );
  return reader.getRowsJson().map((row) => String(row[0]));
}
