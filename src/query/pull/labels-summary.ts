import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay } from '../../layout/days.js';
import { quoteLiteral } from '../sql.js';
import { storedTable, tableColumns } from './schema.js';
import type { PullSelection } from './types.js';

/** The labels role after a pull: its rows the pull loaded, and how many inputs have one. */
export interface LabelsSummary {
  /** Label rows this pull loaded. */
  rows: number;
  /** Input rows of the pulled service and days (`--from`..`--to`), and those with a label. */
  inputs: number;
  labeled: number;
}

/**
 * What the pull summary says about ground truth; undefined when the database holds none (a
 * pull of an archive without labels says nothing about them). Reads `scored`, whose
 * `_labeled` is stored with each input row, so it costs one scan of the pulled days.
 */
export async function summariseLabels(
  connection: DuckDBConnection,
  selection: Pick<PullSelection, 'service' | 'from' | 'to'>,
  loaded: number,
): Promise<LabelsSummary | undefined> {
  if ((await tableColumns(connection, 'labels')).size === 0) {
    return undefined;
  }
  const held = await connection.runAndReadAll(`SELECT count(*) FROM ${storedTable('labels')}`);
  if (loaded === 0 && Number(held.getRowsJson()[0]?.[0] ?? 0) === 0) {
    return undefined;
  }
  const reader = await connection.runAndReadAll(
    `SELECT count(*), count(*) FILTER (WHERE _labeled) FROM main.scored
     WHERE _service = ${quoteLiteral(selection.service)}
       AND _date BETWEEN DATE ${quoteLiteral(formatDay(selection.from))}
       AND DATE ${quoteLiteral(formatDay(selection.to))}`,
  );
  const [inputs, labeled] = reader.getRowsJson()[0] ?? [];
  return { rows: loaded, inputs: Number(inputs ?? 0), labeled: Number(labeled ?? 0) };
}
