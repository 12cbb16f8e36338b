import { quoteIdentifier, quoteLiteral } from '../sql.js';
import { isCorrelationKeyColumn, keyValueSql } from './correlation-key.js';
import { AKS_GENERATED, WORKBENCH_GENERATED } from './csv-columns.js';
import { V2_STAGED_PREFIX } from './jsonl-stager.js';
import type { StagedFile } from './stage.js';

const V2_TEXT = new Set(['_corr', '_time', '_mv']);

/** Staged files of one table that share their columns: one read_csv call reads them all. */
export interface StagedGroup {
  format: 'csv' | 'v2';
  columns: string[];
  ragged: boolean;
  files: StagedFile[];
}

/** DuckDB's own default; larger only when a staged line needs it (buffers are 16x this). */
const MIN_MAX_LINE_SIZE = 2 * 1024 * 1024;

/**
 * read_csv's buffer: DuckDB's default is 16 x max_line_size (32 MiB), held per file being
 * scanned and outside memory_limit's reach in practice; 8 MiB reads as fast (measured on 500 MB
 * of staged CSV) and keeps a pull's peak RSS ~150 MB lower. Never below what one line needs.
 */
export const MIN_BUFFER_SIZE = 8 * 1024 * 1024;

/** The max_line_size a group needs: its longest staged line, at least DuckDB's default. */
function maxLineSize(group: StagedGroup): number {
  let longest = 0;
  for (const staged of group.files) {
    // Unknown (should not happen): the stager's own limit.
    longest = Math.max(longest, staged.longestLine ?? 64 * 1024 * 1024);
  }
  return Math.max(MIN_MAX_LINE_SIZE, longest + 1024);
}

export function groupStaged(files: readonly StagedFile[]): StagedGroup[] {
  const groups = new Map<string, StagedGroup>();
  for (const staged of files) {
    const key = [staged.format, staged.ragged, ...staged.columns].join('\u0000');
    let group = groups.get(key);
    if (!group) {
      group = {
        format: staged.format,
        columns: staged.columns,
        ragged: staged.ragged,
        files: [],
      };
      groups.set(key, group);
    }
    group.files.push(staged);
  }
  return [...groups.values()];
}

/**
 * One read_csv over a group with every option pinned (tooling-notes §5): no sniffing, no
 * union_by_name, columns positional, as text unless `types` are given (then a value that does
 * not parse fails the read, never turns into NULL). Staged files are mdq's own rewrite (LF line
 * ends, no header, every row as wide as the columns unless `ragged`), so this never guesses.
 */
export function readStagedSql(
  group: StagedGroup,
  paths: readonly string[],
  types?: readonly string[],
): string {
  const positional = group.columns.map((_, i) => [`c${i}`, types?.[i] ?? 'VARCHAR'] as const);
  const prefix =
    group.format === 'v2'
      ? V2_STAGED_PREFIX.map((name) => [name, V2_TEXT.has(name) ? 'VARCHAR' : 'BIGINT'] as const)
      : ([
          ['_blob_id', 'BIGINT'],
          ['_stream', 'BIGINT'],
          ['_row', 'BIGINT'],
        ] as const);
  const columns = [...prefix, ...positional]
    .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
    .join(', ');
  const options = [
    `columns = {${columns}}`,
    'header = false',
    'auto_detect = false',
    "delim = ','",
    `quote = '"'`,
    `escape = '"'`,
    "new_line = '\\n'",
    'allow_quoted_nulls = false',
    `max_line_size = ${maxLineSize(group)}`,
    `buffer_size = ${Math.max(MIN_BUFFER_SIZE, 2 * maxLineSize(group))}`,
    ...(group.ragged ? ['null_padding = true', 'parallel = false'] : []),
  ];
  const list = paths.map((path) => quoteLiteral(path)).join(', ');
  return `read_csv([${list}], ${options.join(', ')})`;
}

/**
 * SELECT of a group with the stored system columns filled: the blob's id (its path facts are
 * stored once per blob), the row's timestamp from the format's generated columns (formats.md
 * §5.6), and a v2 row's correlation key (a CSV row's stays in its key columns, which the views
 * show as `_correlation_id`: correlation-key.ts).
 */
export function selectGroupSql(
  group: StagedGroup,
  paths: readonly string[],
  types?: readonly string[],
): string {
  const data = group.columns.map((name, i) => {
    const value = isCorrelationKeyColumn(name) ? keyValueSql(`s.c${i}`) : `s.c${i}`;
    return `${value} AS ${quoteIdentifier(name)}`;
  });
  const column = (name: string) => {
    const i = group.columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
    // Typed loads may have read a column as a number; the time is parsed from text.
    return i < 0 ? undefined : `CAST(s.c${i} AS VARCHAR)`;
  };
  let ts: string;
  let corr: string;
  // Only v2 rows carry a version of their own; the others show their blob's (schema.ts).
  let version = 'NULL';
  if (group.format === 'v2') {
    ts = 's._time';
    // A v2 key has no data column the views could show instead: stored.
    corr = 's._corr';
    version = 's._mv';
  } else {
    const [, aksTs] = AKS_GENERATED;
    const [wbTs] = WORKBENCH_GENERATED;
    ts = column(aksTs) ?? column(wbTs) ?? 'NULL';
    // The key stays in its data columns; the views show it from there (correlation-key.ts).
    corr = 'NULL';
  }
  const system = [
    's._blob_id AS _blob_id',
    's._stream AS _stream',
    `CAST(${version} AS VARCHAR) AS _row_model_version`,
    // Naive and Z-suffixed ISO times parse as TIMESTAMP; only other offsets need TIMESTAMPTZ.
    `COALESCE(TRY_CAST(${ts} AS TIMESTAMP), CAST(TRY_CAST(${ts} AS TIMESTAMPTZ) AS TIMESTAMP)) AS _ts`,
    `CAST(${corr} AS VARCHAR) AS _correlation_id`,
    's._row AS _row',
  ];
  return `SELECT ${[...system, ...data].join(', ')}
    FROM ${readStagedSql(group, paths, types)} s`;
}
