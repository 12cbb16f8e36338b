import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier } from '../sql.js';
import { COMPANIONS, type Companion, companionColumns, fitCompanionColumns } from './companions.js';
import { shownCorrelationSql } from './correlation-key.js';
import { MatchSql } from './match-sql.js';
import { storedTable, tableColumns } from './schema.js';
import { recreateViews } from './views.js';

/**
 * Stores the matches input rows lack (companions.ts), in one transaction, before a pull loads
 * anything: for a database made before mdq stored them (every row is matched once, as the
 * `scored` view of that version joined them), and for rows whose stored match no longer
 * exists (its rows were deleted by hand, by blob id: they match again). Does nothing, at the
 * cost of two scans of blob ids, when every match is in place.
 */
export async function matchWhereMissing(
  connection: DuckDBConnection,
  onStart?: () => void,
): Promise<void> {
  const work = await missingMatches(connection);
  if (work.length === 0) {
    return;
  }
  onStart?.(); // it joins every input row once: a large database takes a while
  await connection.run('BEGIN TRANSACTION');
  try {
    await storeMissingMatches(connection, work);
    await recreateViews(connection);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The same inside a transaction the caller holds (legacy-tables.ts moves an old database and
 * matches its rows in one); the caller recreates the views.
 */
export async function storeMissingMatchesNow(connection: DuckDBConnection): Promise<void> {
  await storeMissingMatches(connection, await missingMatches(connection));
}

interface MissingMatches {
  companion: Companion;
  /** Blob ids input rows are matched to that the companion no longer holds. */
  stale: number[];
}

async function missingMatches(connection: DuckDBConnection): Promise<MissingMatches[]> {
  const inputs = await tableColumns(connection, 'inputs');
  const work: MissingMatches[] = [];
  if (inputs.size === 0) {
    return work;
  }
  for (const companion of COMPANIONS) {
    if ((await companionColumns(connection, companion)) === undefined) {
      continue;
    }
    if (!inputs.has(companion.blob)) {
      work.push({ companion, stale: [] });
      continue;
    }
    const reader = await connection.runAndReadAll(
      `SELECT DISTINCT ${quoteIdentifier(companion.blob)} FROM ${storedTable('inputs')}
         WHERE ${quoteIdentifier(companion.blob)} IS NOT NULL
       EXCEPT SELECT DISTINCT _blob_id FROM ${storedTable(companion.table)}`,
    );
    const stale = reader.getRowsJson().map(([id]) => Number(id));
    if (stale.length > 0) {
      work.push({ companion, stale });
    }
  }
  return work;
}

async function storeMissingMatches(
  connection: DuckDBConnection,
  work: readonly MissingMatches[],
): Promise<void> {
  if (work.length === 0) {
    return;
  }
  await fitCompanionColumns(connection);
  const inputs = await tableColumns(connection, 'inputs');
  const inputKey = (alias: string) => shownCorrelationSql(inputs, alias);
  for (const { companion, stale } of work) {
    const columns = await companionColumns(connection, companion);
    if (columns === undefined) {
      continue;
    }
    const m = new MatchSql(companion, columns);
    const blob = quoteIdentifier(companion.blob);
    if (stale.length > 0) {
      await connection.run(
        `UPDATE ${storedTable('inputs')} SET ${m.clearSql()} WHERE ${blob} IN (${stale.join(', ')})`,
      );
    }
    await connection.run(m.updateSql(inputKey, 'true', `i.${blob} IS NULL`, true));
    if (m.spreads) {
      await connection.run(m.spreadSql(inputKey, 'true'));
    }
  }
}
