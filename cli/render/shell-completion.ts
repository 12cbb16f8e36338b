import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../src/query/run.js';
import { quoteIdentifier } from '../../src/query/sql.js';
import { DOT_COMMANDS } from './shell-commands.js';

/** What tab completes from: the relations users see and the columns of each. */
export interface Catalog {
  relations: string[];
  columns: Map<string, string[]>;
}

export const EMPTY_CATALOG: Catalog = { relations: [], columns: new Map() };

/** Words that start or join the clauses people type most; completed in the case typed. */
const KEYWORDS = [
  'select',
  'from',
  'where',
  'group by',
  'order by',
  'having',
  'limit',
  'join',
  'left join',
  'on',
  'using',
  'as',
  'and',
  'or',
  'not',
  'distinct',
  'count',
  'describe',
  'summarize',
  'with',
  'union all',
  'between',
  'case',
  'when',
  'then',
  'else',
  'end',
  'desc',
  'asc',
  'null',
  'is',
  'in',
  'like',
];

/** Reads the catalog: the main schema's tables and views (mdq's role views among them), with columns. */
export async function loadCatalog(connection: DuckDBConnection): Promise<Catalog> {
  const { rows } = await queryRows(
    connection,
    `select table_name, column_name from information_schema.columns
      where table_schema = 'main' order by table_name, ordinal_position`,
  );
  const columns = new Map<string, string[]>();
  for (const [table, column] of rows) {
    const name = String(table);
    columns.set(name, [...(columns.get(name) ?? []), String(column)]);
  }
  return { relations: [...columns.keys()], columns };
}

/**
 * readline's completer: the candidates for the word before the cursor, and that word. After a
 * command-less start it completes dot-commands; after `.schema`/`\d`, relations; in SQL,
 * relations, columns and keywords, and `table.` completes that table's columns. Names that
 * need quotes are offered quoted.
 */
export function complete(line: string, catalog: Catalog): [string[], string] {
  const command = /^\s*([.\\]\S*)$/.exec(line);
  if (command) {
    const typed = command[1] ?? '';
    return [DOT_COMMANDS.filter((name) => name.startsWith(typed.toLowerCase())), typed];
  }
  if (/^\s*(?:\.schema|\\d)\s+/i.test(line)) {
    const typed = /(\S*)$/.exec(line)?.[1] ?? '';
    return [matching(catalog.relations.map(sqlName), typed), typed];
  }
  const word = /(?:[A-Za-z_][\w$]*\.)?"?[\w$]*$/.exec(line)?.[0] ?? '';
  const dot = word.indexOf('.');
  if (dot !== -1) {
    const table = word.slice(0, dot);
    const relation = catalog.relations.find((name) => name.toLowerCase() === table.toLowerCase());
    const columns = relation === undefined ? [] : (catalog.columns.get(relation) ?? []);
    const prefix = `${table}.`;
    return [
      matching(columns.map(sqlName), word.slice(dot + 1)).map((name) => `${prefix}${name}`),
      word,
    ];
  }
  if (word === '') {
    return [[], word];
  }
  const names = [...new Set([...catalog.relations, ...[...catalog.columns.values()].flat()])];
  const keywords = KEYWORDS.map((keyword) =>
    word === word.toUpperCase() && /[A-Z]/.test(word) ? keyword.toUpperCase() : keyword,
  );
  return [[...new Set([...matching(names.map(sqlName), word), ...matching(keywords, word)])], word];
}

/** A name as SQL: bare when DuckDB reads it as is, else double-quoted. */
function sqlName(name: string): string {
  return /^[A-Za-z_][\w$]*$/.test(name) ? name : quoteIdentifier(name);
}

/**
 * Candidates starting with what was typed, case and opening quote aside (`sep` finds
 * `"sepal length"`); once a `"` is typed, bare names are offered quoted too.
 */
function matching(candidates: readonly string[], typed: string): string[] {
  const unquoted = (text: string) => text.replace(/^"/, '').toLowerCase();
  const wanted = unquoted(typed);
  return candidates
    .map((candidate) =>
      typed.startsWith('"') && !candidate.startsWith('"') ? quoteIdentifier(candidate) : candidate,
    )
    .filter((candidate) => unquoted(candidate).startsWith(wanted))
    .sort();
}
