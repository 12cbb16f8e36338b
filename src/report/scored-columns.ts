import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.js';
import { SYSTEM_COLUMN_NAMES } from '../query/pull/system-columns.js';
import { quoteIdentifier } from '../query/sql.js';
import { isDataColumn, relationExists } from './frame.js';
import { readRows, text } from './read-rows.js';

/** Label column names tried, in order, when the labels table has several data columns. */
const LABEL_NAMES = ['label', 'actual', 'ground_truth', 'y', 'target'];

export interface ScoredColumns {
  /** Name in `scored` -> DuckDB type. */
  types: Map<string, string>;
  label: string;
  prediction: string;
}

/**
 * Which `scored` columns hold the ground truth and the prediction. `scored` names a
 * prediction column as in the predictions data (`prediction_…` where an input has the name) and
 * a label column as in the labels data (`label_…` where an input or prediction has it), so the
 * defaults are the predictions' `prediction` column (or their only one) and the labels' only
 * data column (or one named label, actual, ground_truth, y, target). Returns a reason instead
 * when there is nothing to compare.
 */
export async function resolveScoredColumns(
  connection: DuckDBConnection,
  choice: { label?: string; prediction?: string },
  signal?: AbortSignal,
): Promise<ScoredColumns | string> {
  if (!(await relationExists(connection, 'scored', signal))) {
    return 'no scored view (nothing pulled yet)';
  }
  const types = await columnTypes(connection, 'scored', signal);
  const find = (name: string) =>
    [...types.keys()].find((key) => key.toLowerCase() === name.toLowerCase());
  // A column named on the command line must exist, labels joined or not.
  for (const [given, option] of [
    [choice.label, '--label-column'],
    [choice.prediction, '--prediction-column'],
  ] as const) {
    if (given !== undefined && find(given) === undefined) {
      throw new UsageError(`${option} ${given}: scored has no such column`, {
        hint: `scored's columns: ${[...types.keys()].join(', ')}`,
      });
    }
  }
  if (!types.has('_labeled')) {
    return 'scored has no _labeled column: no ground truth joined (pull the labels role)';
  }
  const taken = new Set(
    [...SYSTEM_COLUMN_NAMES, '_matched', '_labeled'].map((name) => name.toLowerCase()),
  );
  for (const name of await dataColumns(connection, 'inputs', signal)) {
    taken.add(name.toLowerCase());
  }
  const predictions: string[] = [];
  for (const name of await dataColumns(connection, 'predictions', signal)) {
    let alias = name;
    while (taken.has(alias.toLowerCase())) {
      alias = `prediction_${alias}`;
    }
    taken.add(alias.toLowerCase());
    predictions.push(alias);
  }
  // As the contract names them; `label_…` is also accepted where scored prefixes every label.
  const labels = (await dataColumns(connection, 'labels', signal)).map((name) => {
    const alias = taken.has(name.toLowerCase()) ? `label_${name}` : name;
    return find(alias) === undefined && find(`label_${name}`) !== undefined
      ? `label_${name}`
      : alias;
  });
  const picked = (
    given: string | undefined,
    candidates: string[],
    preferred: string[],
  ): string | undefined => {
    if (given !== undefined) {
      return find(given);
    }
    const present = candidates.filter((name) => find(name) !== undefined);
    if (present.length === 1) {
      return find(present[0] ?? '');
    }
    for (const name of preferred) {
      const match = present.find((candidate) => candidate.toLowerCase() === name);
      if (match) {
        return find(match);
      }
    }
    return undefined;
  };
  const label = picked(choice.label, labels, LABEL_NAMES);
  if (!label) {
    return labels.length === 0
      ? 'no labels table: nothing to compare predictions with'
      : `several label columns (${labels.join(', ')}): choose one with --label-column`;
  }
  const prediction = picked(choice.prediction, predictions, ['prediction']);
  if (!prediction) {
    return `no single prediction column (${predictions.join(', ') || 'none'}): choose one with --prediction-column`;
  }
  return { types, label, prediction };
}

async function columnTypes(
  connection: DuckDBConnection,
  table: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const rows = await readRows(connection, `DESCRIBE main.${quoteIdentifier(table)}`, signal);
  return new Map(rows.map((row) => [text(row.column_name), text(row.column_type)]));
}

async function dataColumns(
  connection: DuckDBConnection,
  table: string,
  signal?: AbortSignal,
): Promise<string[]> {
  if (!(await relationExists(connection, table, signal))) {
    return [];
  }
  return [...(await columnTypes(connection, table, signal)).keys()].filter(isDataColumn);
}
