/**
 * The query suite of issue 15: what users ask of `scored` (and the role views) many times a
 * day. Each query is written once against relation names, so the same text runs on the views
 * and on plain tables holding the same rows.
 */
export interface SuiteQuery {
  name: string;
  /** SQL with `{scored}`, `{inputs}`, `{predictions}` for the relations it reads. */
  sql: string;
}

export interface SuiteNames {
  scored: string;
  inputs: string;
  predictions: string;
}

/** The suite; `lookup` is a correlation id the archive holds, `from`/`to` a day range. */
export function suiteQueries(lookup: string, from: string, to: string): SuiteQuery[] {
  const days = `_date BETWEEN DATE '${from}' AND DATE '${to}'`;
  return [
    {
      name: 'group by day × prediction',
      sql: 'SELECT _date, label, count(*) FROM {scored} GROUP BY ALL ORDER BY ALL',
    },
    {
      name: 'day range, average of a feature',
      sql: `SELECT round(avg(sepal_length), 6), round(avg(setosa), 6) FROM {scored} WHERE ${days}`,
    },
    {
      name: 'point lookup by _correlation_id',
      sql: `SELECT * FROM {scored} WHERE _correlation_id = '${lookup}' ORDER BY _row`,
    },
    { name: 'count of _matched', sql: 'SELECT count(*) FROM {scored} WHERE _matched' },
    {
      name: 'scored joined to itself by correlation id',
      sql: `SELECT count(*), count(*) FILTER (WHERE a.label = b.label) FROM {scored} a
        JOIN {scored} b ON a._correlation_id = b._correlation_id AND a._row = b._row
        WHERE ${days.replaceAll('_date', 'a._date')}`,
    },
    {
      name: 'inputs: rows per day',
      sql: 'SELECT _date, count(*), round(avg(petal_width), 6) FROM {inputs} GROUP BY ALL ORDER BY ALL',
    },
    {
      name: 'predictions: label mix in a day range',
      sql: `SELECT label, count(*) FROM {predictions} WHERE ${days} GROUP BY ALL ORDER BY ALL`,
    },
  ];
}

/** A suite query's SQL for one set of relation names. */
export function querySql(query: SuiteQuery, names: SuiteNames): string {
  return query.sql
    .replaceAll('{scored}', names.scored)
    .replaceAll('{inputs}', names.inputs)
    .replaceAll('{predictions}', names.predictions);
}
