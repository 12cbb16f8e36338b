// The limit's DuckDB load in a process of its own (baselines/raw-limit.ts), so its peak RSS can
// stand beside mdq pull's. Plain JS: run by node directly, no TypeScript loader in the
// measured process. Argument: a JSON file naming the database, DuckDB settings and statements.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const start = process.hrtime.bigint();
const instance = await DuckDBInstance.create(job.dbPath, job.settings);
const connection = await instance.connect();
let rows = 0;
try {
  for (const sql of job.statements) {
    await connection.run(sql);
  }
  for (const sql of job.counts) {
    const reader = await connection.runAndReadAll(sql);
    rows += Number(reader.getRows()[0][0]);
  }
} finally {
  connection.closeSync();
  instance.closeSync();
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, rows })}\n`);
