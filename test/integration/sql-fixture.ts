import { join } from 'node:path';
import { openDatabase } from '../../src/query/database.js';
import { makeTmpDir } from '../helpers/tmp.js';

/** One `inputs` row as the test writes it; expected outputs are derived from these literals. */
export interface InputRow {
  service: string;
  date: string;
  ts: string;
  correlationId: string;
  row: number;
  x: number;
  note: string | null;
}

export const INPUT_ROWS: readonly InputRow[] = [
  {
    service: 'irisapp',
    date: '2024-01-01',
    ts: '2024-01-01T10:00:00',
    correlationId: 'c1',
    row: 0,
    x: 5.1,
    note: 'plain',
  },
  {
    service: 'irisapp',
    date: '2024-01-01',
    ts: '2024-01-01T10:00:00',
    correlationId: 'c1',
    row: 1,
    x: 4.9,
    note: 'comma, "quoted"\nnewline',
  },
  {
    service: 'irisapp',
    date: '2024-01-02',
    ts: '2024-01-02T11:30:00.5',
    correlationId: 'c2',
    row: 0,
    x: 6.3,
    note: 'esc \u001b[2J here',
  },
  {
    service: 'irisapp',
    date: '2024-01-02',
    ts: '2024-01-02T12:00:00',
    correlationId: 'c3',
    row: 0,
    x: 7.0,
    note: '',
  },
  {
    service: 'other',
    date: '2024-01-03',
    ts: '2024-01-03T00:00:00',
    correlationId: 'c4',
    row: 0,
    x: 1.5,
    note: null,
  },
];

/** Prediction per (correlation id, row); c3 has none, so scored shows `_matched = false`. */
export const PREDICTIONS: Readonly<Record<string, string>> = {
  'c1/0': 'setosa',
  'c1/1': 'setosa',
  'c2/0': 'virginica',
  'c4/0': 'versicolor',
};

/** A DuckDB file shaped like pull's output (role tables, `scored`, `mdq_manifest`). */
export async function makeFixtureDb(): Promise<{
  dir: string;
  dbPath: string;
  cleanup: () => Promise<void>;
}> {
  const tmp = await makeTmpDir('mdq-sql-');
  const dbPath = join(tmp.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    const system = `_service VARCHAR, _model VARCHAR, _model_version VARCHAR, _identifier VARCHAR, _date DATE, _ts TIMESTAMP, _correlation_id VARCHAR, _row BIGINT, _blob VARCHAR`;
    await db.connection.run(`create table inputs (${system}, x DOUBLE, note VARCHAR)`);
    await db.connection.run(`create table predictions (${system}, label VARCHAR)`);
    const inserts: string[] = [];
    const predictions: string[] = [];
    for (const row of INPUT_ROWS) {
      const key = `${sql(row.service)}, 'iris', '1', %IDENT%, DATE ${sql(row.date)}, TIMESTAMP ${sql(row.ts)}, ${sql(row.correlationId)}, ${row.row}, 'blob/${row.date}.csv'`;
      inserts.push(
        `(${key.replace('%IDENT%', "'inputs'")}, ${row.x}, ${row.note === null ? 'NULL' : sql(row.note)})`,
      );
      const label = PREDICTIONS[`${row.correlationId}/${row.row}`];
      if (label) {
        predictions.push(`(${key.replace('%IDENT%', "'prediction'")}, ${sql(label)})`);
      }
    }
    await db.connection.run(`insert into inputs values ${inserts.join(', ')}`);
    await db.connection.run(`insert into predictions values ${predictions.join(', ')}`);
    await db.connection.run(`create view scored as
      select i.*, p.label, p._correlation_id is not null as _matched
      from inputs i left join predictions p
      using (_service, _model, _model_version, _correlation_id, _row)`);
    await db.connection.run(`create table mdq_manifest (source VARCHAR, blob VARCHAR, layout VARCHAR, service VARCHAR, model VARCHAR,
      model_version VARCHAR, identifier VARCHAR, day DATE, table_name VARCHAR, etag VARCHAR, size BIGINT, rows BIGINT,
      status VARCHAR, error VARCHAR, loaded_at TIMESTAMP)`);
    await db.connection.run(`insert into mdq_manifest values
      ('src', 'a.csv', 'aks', 'irisapp', 'iris', '1', 'inputs', DATE '2024-01-01', 'inputs', 'e1', 100, 2, 'loaded', NULL, TIMESTAMP '2024-02-01 00:00:00'),
      ('src', 'b.csv', 'aks', 'irisapp', 'iris', '1', 'inputs', DATE '2024-01-02', 'inputs', 'e2', 100, 2, 'loaded', NULL, TIMESTAMP '2024-02-01 00:00:00'),
      ('src', 'c.csv', 'aks', 'irisapp', 'iris', '1', 'inputs', DATE '2024-01-02', NULL, 'e3', 50, 0, 'quarantined', 'bad header', TIMESTAMP '2024-02-01 00:00:00')`);
  } finally {
    db.close();
  }
  return { dir: tmp.path, dbPath, cleanup: tmp.cleanup };
}

function sql(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
