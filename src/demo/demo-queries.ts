import { quoteLiteral } from '../query/sql.js';
import { DEMO_SERVICE } from './iris-service.js';

export interface DemoQuery {
  title: string;
  sql: string;
}

/** What a user wants to see first after a pull: volume per day, predictions per day, joined rows. */
export function demoQueries(fromDay: string, toDay: string): DemoQuery[] {
  const where = `_service = ${quoteLiteral(DEMO_SERVICE)} and _date between ${quoteLiteral(fromDay)} and ${quoteLiteral(toDay)}`;
  return [
    {
      title: 'Requests and rows per day (scored = inputs joined to their own prediction)',
      sql: `select _date as day, count(distinct _correlation_id) as requests, count(*) as input_rows,
              count(*) filter (where _matched) as scored_rows
            from scored where ${where} group by all order by day`,
    },
    {
      title: 'Prediction distribution per day',
      sql: `select _date as day,
              count(*) filter (where prediction = 'setosa') as setosa,
              count(*) filter (where prediction = 'versicolor') as versicolor,
              count(*) filter (where prediction = 'virginica') as virginica,
              round(avg(petal_length), 2) as avg_petal_length
            from scored where ${where} group by all order by day`,
    },
    {
      title: 'A sample of joined rows (latest first)',
      sql: `select _ts, _correlation_id, _row, sepal_length, sepal_width, petal_length, petal_width, prediction
            from scored where ${where} order by _ts desc, _row limit 5`,
    },
  ];
}
