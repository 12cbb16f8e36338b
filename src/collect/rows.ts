/**
 * Turns what a scoring function has at hand into rows of cells under named columns, the way the
 * Python collectors treat lists, numpy arrays and DataFrames:
 * - an array of row objects, or one row object: columns from `featureNames`, else the keys in
 *   first-seen order;
 * - an array of arrays: columns from `featureNames`, else `0`, `1`, ... (numpy's column names);
 * - an array (or typed array) of scalars, or one scalar: one row per element, so n predictions
 *   line up with n input rows; the column is `featureNames[0]`, else `prediction`.
 */
export interface Rows {
  columns: readonly string[];
  cells: unknown[][];
}

export class RowShapeError extends Error {}

export function toRows(input: unknown, featureNames: readonly string[] | undefined): Rows {
  if (input === null || input === undefined) {
    throw new RowShapeError(`collect() got ${String(input)}; pass rows, a row object or scalars`);
  }
  if (ArrayBuffer.isView(input) && !(input instanceof DataView)) {
    return scalarRows(Array.from(input as unknown as ArrayLike<unknown>), featureNames);
  }
  if (!Array.isArray(input)) {
    return isRowObject(input)
      ? objectRows([input], featureNames)
      : scalarRows([input], featureNames);
  }
  if (input.length === 0) {
    return { columns: featureNames ?? [], cells: [] };
  }
  const first: unknown = input[0];
  if (Array.isArray(first)) {
    return arrayRows(input, featureNames);
  }
  if (isRowObject(first)) {
    return objectRows(input, featureNames);
  }
  return scalarRows(input, featureNames);
}

function isRowObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function objectRows(input: readonly unknown[], featureNames: readonly string[] | undefined): Rows {
  const columns = featureNames ? [...featureNames] : keyUnion(input);
  const cells: unknown[][] = new Array(input.length);
  for (let r = 0; r < input.length; r++) {
    const row = input[r];
    if (!isRowObject(row)) {
      throw new RowShapeError(`row ${r} is not an object like the first row`);
    }
    const values = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      values[c] = row[columns[c] as string];
    }
    cells[r] = values;
  }
  return { columns, cells };
}

/** Keys of every row in first-seen order, so a row with an extra key adds a column. */
function keyUnion(input: readonly unknown[]): string[] {
  const first = input[0] as Record<string, unknown>;
  const columns = Object.keys(first);
  let known: Set<string> | undefined;
  for (let r = 1; r < input.length; r++) {
    const row = input[r];
    if (!isRowObject(row)) {
      continue;
    }
    for (const key in row) {
      if (!Object.hasOwn(first, key)) {
        known ??= new Set(columns);
        if (!known.has(key)) {
          known.add(key);
          columns.push(key);
        }
      }
    }
  }
  return columns;
}

function arrayRows(input: readonly unknown[], featureNames: readonly string[] | undefined): Rows {
  let width = 0;
  const cells: unknown[][] = new Array(input.length);
  for (let r = 0; r < input.length; r++) {
    const row = input[r];
    if (!Array.isArray(row)) {
      throw new RowShapeError(`row ${r} is not an array like the first row`);
    }
    cells[r] = row;
    width = Math.max(width, row.length);
  }
  // Cells beyond the named features keep numpy's positional names rather than being lost.
  const columns = featureNames ? [...featureNames] : [];
  for (let i = columns.length; i < width; i++) {
    columns.push(String(i));
  }
  return { columns, cells };
}

function scalarRows(input: readonly unknown[], featureNames: readonly string[] | undefined): Rows {
  const cells: unknown[][] = new Array(input.length);
  for (let r = 0; r < input.length; r++) {
    cells[r] = [input[r]];
  }
  return { columns: [featureNames?.[0] ?? 'prediction'], cells };
}
