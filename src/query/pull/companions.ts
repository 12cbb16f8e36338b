import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../sql.js';
import { AKS_GENERATED, WORKBENCH_GENERATED } from './csv-columns.js';
import { ensureTable, storedTable, tableColumns } from './schema.js';
import { HELPER_PREFIX, isReservedColumn } from './system-columns.js';

/**
 * A role whose rows `scored` shows beside each input row (design.md, data model): the row of
 * that role with the input's key, the first loaded winning. Its match is stored with the input
 * row (match-batch.ts), so `scored` reads one table instead of joining two on every query.
 */
export interface Companion {
  table: 'predictions' | 'labels';
  /** Prefix of its data columns in `scored` where an earlier column took the name. */
  prefix: string;
  /** The boolean column of `scored`: the input row has one. */
  flag: string;
  /**
   * Stored helpers on the input row: the matched row's blob id (NULL: none) and, for a
   * headerless line, which of its values is this row's `prediction`.
   */
  blob: string;
  pos: string;
  /** A data column `x` is copied to the input row as `<copy>x`. */
  copy: string;
  /** Whether headerless lines of several values are spread over a request's rows. */
  spreads: boolean;
}

function companion(table: Companion['table'], tag: string, flag: string): Companion {
  const helper = `${HELPER_PREFIX}${tag}_`;
  return {
    table,
    prefix: table === 'predictions' ? 'prediction_' : 'label_',
    flag,
    blob: `${helper}blob`,
    pos: `${helper}pos`,
    copy: `${HELPER_PREFIX}${tag}:`,
    spreads: table === 'predictions',
  };
}

export const COMPANIONS: readonly Companion[] = [
  companion('predictions', 'p', '_matched'),
  companion('labels', 'l', '_labeled'),
];

const GENERATED = new Set([...WORKBENCH_GENERATED, ...AKS_GENERATED].map((n) => n.toLowerCase()));

/**
 * The data columns of a companion that `scored` shows, name → type, in table order: all but
 * the collectors' generated ones (`$Timestamp`, `$aml_*`, ...). On a matched row those repeat
 * the input's key and timestamp or name the collector; they stay in the role's own view.
 * Copying them as well would cost a pull ~0.2 core-s per column per 2.6M rows
 * (bench/README.md, "Data model").
 */
export function shownColumns(columns: ReadonlyMap<string, string>): Map<string, string> {
  const shown = new Map<string, string>();
  for (const [name, type] of columns) {
    if (!isReservedColumn(name) && !GENERATED.has(name.toLowerCase())) {
      shown.set(name, type);
    }
  }
  return shown;
}

/** Positional columns (`"0"`, `"1"`, …: a headerless file's values), by index. */
export function positionalColumns(columns: ReadonlyMap<string, string>): string[] {
  const byIndex: string[] = [];
  for (const name of columns.keys()) {
    if (/^(0|[1-9][0-9]{0,3})$/.test(name)) {
      byIndex[Number(name)] = name;
    }
  }
  // Only an unbroken run from "0" counts as one line's values.
  const run: string[] = [];
  for (const name of byIndex) {
    if (name === undefined) {
      break;
    }
    run.push(name);
  }
  return run;
}

/** A companion's table: its data columns (all, shown or not), or undefined when it has none. */
export async function companionColumns(
  connection: DuckDBConnection,
  c: Companion,
): Promise<Map<string, string> | undefined> {
  const columns = await tableColumns(connection, c.table);
  return columns.size === 0 ? undefined : columns;
}

/** The helper columns an input row stores for `c`, name → type. */
export function helperColumns(c: Companion): Array<[string, string]> {
  return [
    [c.blob, 'BIGINT'],
    [c.pos, 'BIGINT'],
  ];
}

/**
 * Makes the stored inputs able to hold each companion's match: its helpers and a copy of each
 * shown column, with that column's type (widened when the companion's was). Runs in the batch
 * transaction before any row changes (DuckDB refuses to ALTER a table changed in the same
 * transaction), after the companions' own columns were fitted.
 */
export async function fitCompanionColumns(connection: DuckDBConnection): Promise<void> {
  await ensureTable(connection, 'inputs');
  const existing = await tableColumns(connection, 'inputs');
  const lower = new Map([...existing].map(([name, type]) => [name.toLowerCase(), { name, type }]));
  const add = async (name: string, type: string) => {
    const found = lower.get(name.toLowerCase());
    const target = storedTable('inputs');
    if (found === undefined) {
      await connection.run(`ALTER TABLE ${target} ADD COLUMN ${quoteIdentifier(name)} ${type}`);
    } else if (found.type !== type) {
      await connection.run(
        `ALTER TABLE ${target} ALTER COLUMN ${quoteIdentifier(found.name)} SET DATA TYPE ${type}`,
      );
    }
  };
  for (const c of COMPANIONS) {
    const columns = await companionColumns(connection, c);
    if (columns === undefined) {
      continue;
    }
    for (const [name, type] of helperColumns(c)) {
      await add(name, type);
    }
    for (const [name, type] of shownColumns(columns)) {
      await add(`${c.copy}${name}`, type);
    }
  }
}
