import {
  type DuckDBArrayType,
  type DuckDBConnection,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { describeSelect } from './describe-select.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';

/**
 * mdq's one value format for text output: `mdq sql --format csv|json|ndjson` and `mdq export
 * --format csv` write every value the same way (README, "Value format"). DuckDB writes the
 * text (its CSV and JSON writers); this module only wraps a query in a projection that turns the
 * few types whose DuckDB spelling is not the format's into text first:
 *
 * - TIMESTAMP (any precision): ISO-8601 with `T`, no zone (`2024-01-02T03:04:05.5`);
 *   TIMESTAMP WITH TIME ZONE: the instant in UTC with `Z` (`2024-01-02T03:04:05Z`);
 *   `infinity` and `-infinity` stay as DuckDB spells them.
 * - INTERVAL: an ISO-8601 duration (`P1DT2H`, `PT0S`; a negative part keeps its sign, `PT-0.5S`,
 *   as PostgreSQL's `iso_8601` interval style writes it).
 * - FLOAT/DOUBLE: DuckDB's shortest round-trip text (`7.0`, `1e+16`); NaN and infinities as
 *   `NaN`, `Infinity`, `-Infinity` (what JavaScript, Java, Python and pandas all parse; JSON
 *   has no spelling for them, so there they are strings).
 * - LIST, ARRAY, STRUCT, MAP, UNION: JSON (in CSV as JSON text), their elements by these rules.
 *
 * Everything else is DuckDB's own text: exact integers and decimals with every digit (numbers in
 * JSON), DATE `2024-02-29`, TIME, UUID, BLOB as `\xAA` escapes, booleans `true`/`false`. NULL
 * is an empty unquoted CSV field (the empty string is `""`) and `null` in JSON.
 */
export type ValueTarget = 'csv' | 'json';

export interface TypedColumn {
  /** The name the output shows (a result's deduplicated name). */
  name: string;
  type: DuckDBType;
}

/**
 * `sql` (one SELECT-like statement) with each column rendered for `target`. Columns are taken by
 * position (`AS t(c0, c1, …)`), so duplicate or odd names in the user's query cannot collide.
 */
export function formattedSelect(
  sql: string,
  columns: readonly TypedColumn[],
  target: ValueTarget,
): string {
  if (!columns.some((column) => needsProjection(column.type, target))) {
    return sql;
  }
  const aliases = columns.map((_, index) => `c${index}`);
  const projection = columns.map(
    (column, index) =>
      `${topLevel(`mdq_result.c${index}`, column.type, target)} AS ${quoteIdentifier(column.name)}`,
  );
  // The query goes on lines of its own so a trailing `-- comment` in it cannot swallow the `)`.
  return `SELECT ${projection.join(', ')} FROM (\n${sql}\n) AS mdq_result(${aliases.join(', ')})`;
}

function topLevel(expression: string, type: DuckDBType, target: ValueTarget): string {
  if (isNested(type)) {
    // DuckDB's CSV writer spells nested values its own way (`{'a': 1}`); JSON is what readers parse.
    const json = jsonValue(expression, type);
    return target === 'csv' ? `CAST(to_json(${json}) AS VARCHAR)` : json;
  }
  if (isFloat(type)) {
    return target === 'csv' ? floatText(expression) : floatJson(expression, type);
  }
  return scalarText(expression, type) ?? expression;
}

/** Whether DuckDB's own writer for `target` would spell some value of this type differently. */
function needsProjection(type: DuckDBType, target: ValueTarget): boolean {
  return needsRewrite(type) || (target === 'csv' && isNested(type));
}

/** The value as something DuckDB's JSON writer renders in this format (nested values included). */
function jsonValue(expression: string, type: DuckDBType): string {
  if (!needsRewrite(type)) {
    return expression;
  }
  if (isFloat(type)) {
    return floatJson(expression, type);
  }
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const element = (type as DuckDBListType | DuckDBArrayType).valueType;
      return `list_transform(${expression}, mdq_e -> ${jsonValue('mdq_e', element)})`;
    }
    case DuckDBTypeId.STRUCT: {
      const struct = type as DuckDBStructType;
      const fields = struct.entryNames.map(
        (name, index) =>
          `${quoteIdentifier(name)} := ${jsonValue(`struct_extract(${expression}, ${quoteLiteral(name)})`, struct.entryTypes[index] as DuckDBType)}`,
      );
      return `CASE WHEN ${expression} IS NULL THEN NULL ELSE struct_pack(${fields.join(', ')}) END`;
    }
    case DuckDBTypeId.MAP: {
      const map = type as DuckDBMapType;
      // JSON object keys are text: a key is written as it would be in CSV.
      const key = scalarText('mdq_e.key', map.keyType) ?? 'mdq_e.key';
      const value = jsonValue('mdq_e.value', map.valueType);
      return `map_from_entries(list_transform(map_entries(${expression}), mdq_e -> struct_pack(key := ${key}, value := ${value})))`;
    }
    default:
      return scalarText(expression, type) ?? expression;
  }
}

/** Text of a scalar whose DuckDB spelling differs from the format, or undefined. */
function scalarText(expression: string, type: DuckDBType): string | undefined {
  switch (type.typeId) {
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return `replace(CAST(${expression} AS VARCHAR), ' ', 'T')`;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return `CASE WHEN isfinite(${expression}) THEN replace(CAST(timezone('UTC', ${expression}) AS VARCHAR), ' ', 'T') || 'Z' ELSE CAST(${expression} AS VARCHAR) END`;
    case DuckDBTypeId.INTERVAL:
      return isoDuration(expression);
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return floatText(expression);
    default:
      return undefined;
  }
}

/** NaN and the infinities as JavaScript, Java and Python spell them; the rest as DuckDB does. */
function floatText(expression: string): string {
  return `CASE WHEN ${expression} IS NULL OR isfinite(${expression}) THEN CAST(${expression} AS VARCHAR) WHEN isnan(${expression}) THEN 'NaN' WHEN ${expression} > 0 THEN 'Infinity' ELSE '-Infinity' END`;
}

/**
 * The same in JSON, where NaN and the infinities can only be strings. A FLOAT goes through its
 * text: cast straight to JSON it would be widened to a double first (`1.100000023841858`).
 */
function floatJson(expression: string, type: DuckDBType): string {
  const number =
    type.typeId === DuckDBTypeId.FLOAT
      ? `CAST(CAST(${expression} AS VARCHAR) AS JSON)`
      : `CAST(${expression} AS JSON)`;
  return `CASE WHEN ${expression} IS NULL OR isfinite(${expression}) THEN ${number} WHEN isnan(${expression}) THEN '"NaN"'::JSON WHEN ${expression} > 0 THEN '"Infinity"'::JSON ELSE '"-Infinity"'::JSON END`;
}

/** ISO-8601 duration; each part keeps its own sign, as DuckDB keeps months, days and micros apart. */
function isoDuration(expression: string): string {
  const part = (name: string) => `datepart('${name}', ${expression})`;
  const unit = (name: string, suffix: string) =>
    `CASE WHEN ${part(name)} <> 0 THEN ${part(name)} || '${suffix}' END`;
  const seconds = `rtrim(rtrim(CAST(CAST(${part('microseconds')} AS DECIMAL(18,0)) * 0.000001 AS VARCHAR), '0'), '.')`;
  const hasTime = `${part('hour')} <> 0 OR ${part('minute')} <> 0 OR ${part('microseconds')} <> 0`;
  const hasDate = `${part('year')} <> 0 OR ${part('month')} <> 0 OR ${part('day')} <> 0`;
  return `CASE WHEN ${expression} IS NULL THEN NULL ELSE concat('P', ${unit('year', 'Y')}, ${unit('month', 'M')}, ${unit('day', 'D')}, CASE WHEN ${hasTime} THEN concat('T', ${unit('hour', 'H')}, ${unit('minute', 'M')}, CASE WHEN ${part('microseconds')} <> 0 THEN ${seconds} || 'S' END) WHEN NOT (${hasDate}) THEN 'T0S' END) END`;
}

function isFloat(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.FLOAT || type.typeId === DuckDBTypeId.DOUBLE;
}

function isNested(type: DuckDBType): boolean {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return true;
    default:
      return false;
  }
}

/** Whether any value of this type is spelled differently from DuckDB's own text. */
function needsRewrite(type: DuckDBType): boolean {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
      return childTypes(type).some(needsRewrite);
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return true; // written as JSON, never as DuckDB's text
    default:
      return isFloat(type) || scalarText('x', type) !== undefined;
  }
}

/** The types a LIST, ARRAY, STRUCT or MAP holds (none for any other type). */
export function childTypes(type: DuckDBType): readonly DuckDBType[] {
  switch (type.typeId) {
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return [(type as DuckDBListType | DuckDBArrayType).valueType];
    case DuckDBTypeId.STRUCT:
      return (type as DuckDBStructType).entryTypes;
    case DuckDBTypeId.MAP:
      return [(type as DuckDBMapType).keyType, (type as DuckDBMapType).valueType];
    default:
      return [];
  }
}

/** A CSV field quoted as DuckDB's CSV writer quotes: when it holds a delimiter, quote or line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (a header, say) of these texts. */
export function csvLine(texts: readonly string[]): string {
  return `${texts.map(csvField).join(',')}\n`;
}

/**
 * `sql` rendered in the value format, for a writer that takes one query (export's CSV); `sql`
 * itself when it is not one SELECT, so the writer reports whatever is wrong with it.
 */
export async function selectInValueFormat(
  connection: DuckDBConnection,
  sql: string,
  target: ValueTarget,
): Promise<string> {
  const select = await describeSelect(connection, sql);
  return select ? formattedSelect(select.sql, select.typed, target) : sql;
}
