import { AKS_GENERATED_COLUMNS, WORKBENCH_GENERATED_COLUMNS } from '../../layout/columns.js';
import type { LayoutKind } from '../../layout/types.js';
import { isReservedColumn } from './system-columns.js';

/**
 * Column names for a staged CSV file: the header when there is one, positional names when the
 * collector wrote none (formats.md §1, §2: numpy/list collections without feature_names).
 */

/** Columns the collectors generate; a line holding any of them is a header. */
export {
  AKS_GENERATED_COLUMNS as AKS_GENERATED,
  WORKBENCH_GENERATED_COLUMNS as WORKBENCH_GENERATED,
};

const GENERATED = new Set<string>([...WORKBENCH_GENERATED_COLUMNS, ...AKS_GENERATED_COLUMNS]);

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LITERAL = /^(true|false|nan|inf|-inf|null|none)$/i;

function looksLikeValue(field: string): boolean {
  const text = field.trim();
  return NUMBER.test(text) || ISO_TIME.test(text) || UUID.test(text) || LITERAL.test(text);
}

/**
 * A first line is a header when it names a generated column, or when no field is a value
 * (numbers, timestamps, ids never name a feature here) and some field is not empty. A headerless
 * file whose first row holds only words (string labels) is taken for a header: no layout marks
 * the difference, and headers are by far the common case.
 */
export function isHeaderLine(fields: readonly string[]): boolean {
  if (fields.some((field) => GENERATED.has(field))) {
    return true;
  }
  return (
    fields.some((field) => field.trim() !== '') &&
    fields.every((field) => field.trim() === '' || !looksLikeValue(field))
  );
}

/** Names for a file without header, from its first row's shape and the layout. */
export function positionalColumns(layout: LayoutKind, firstRow: readonly string[]): string[] {
  const n = firstRow.length;
  // pandas names the columns of a numpy array 0, 1, …; v2 shows the same keys (formats.md §6).
  const numbered = (count: number) => Array.from({ length: count }, (_, i) => String(i));
  if (
    layout === 'workbench' &&
    n >= 3 &&
    ISO_TIME.test(firstRow[0] ?? '') &&
    !ISO_TIME.test(firstRow[2] ?? '')
  ) {
    return [...WORKBENCH_GENERATED_COLUMNS, ...numbered(n - 3)];
  }
  if (n >= 8) {
    // AKS numpy/list inputs: data values, then the eight generated values (formats.md §2).
    const ts = firstRow[n - 7] ?? '';
    const boundary = firstRow[n - 6] ?? '';
    if (ISO_TIME.test(ts) && (boundary === '1440' || boundary === '60')) {
      return [...numbered(n - 8), ...AKS_GENERATED_COLUMNS];
    }
  }
  return numbered(n);
}

/**
 * Makes names usable as DuckDB columns: non-empty, unique case-insensitively (DuckDB
 * identifiers are), and never one of the system columns mdq adds.
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, index) => {
    let name = raw.trim() === '' ? `column${index}` : raw;
    if (isReservedColumn(name)) {
      name = `data${name}`;
    }
    let candidate = name;
    for (let k = 1; seen.has(candidate.toLowerCase()); k += 1) {
      candidate = `${name}_${k}`;
    }
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

/** Splits one CSV line (RFC 4180 quoting) into its fields: first lines and sampled rows. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) {
    return line.split(','); // the common case, and the same fields
  }
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          inQuotes = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}
