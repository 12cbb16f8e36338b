import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../query/sql.js';
import { count, readRows, text } from './read-rows.js';
import type { DayCount } from './types.js';
import type { DayRange } from './windows.js';

/**
 * Requests and rows per day of the inputs, from the first day shown to the last. A request is
 * a correlation id's first row (`_row = 0`), which counts requests without a distinct count.
 */
export async function trafficPerDay(
  connection: DuckDBConnection,
  service: string | null,
  span: DayRange,
  windowOf: (day: string) => DayCount['window'],
  signal?: AbortSignal,
): Promise<DayCount[]> {
  const rows = await readRows(
    connection,
    `SELECT _date AS day, count(*) FILTER (WHERE _row = 0) AS requests, count(*) AS n
      FROM main.inputs
      WHERE ${service === null ? 'TRUE' : `_service = ${quoteLiteral(service)}`}
        AND _date BETWEEN DATE ${quoteLiteral(span.from)} AND DATE ${quoteLiteral(span.to)}
      GROUP BY 1 ORDER BY 1`,
    signal,
  );
  return rows.map((row) => ({
    day: text(row.day),
    window: windowOf(text(row.day)),
    requests: count(row.requests),
    rows: count(row.n),
  }));
}
