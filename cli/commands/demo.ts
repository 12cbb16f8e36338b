import { resolve } from 'node:path';
import {
  connectionStringFromEnv,
  DEFAULT_CONTAINER,
  DEFAULT_MODELDATA_DIR,
  DEFAULT_SPOOL_DIR,
  nonEmpty,
} from '../../src/config.js';
import { demoQueries } from '../../src/demo/demo-queries.js';
import { DEMO_SERVICE, serveIrisDays } from '../../src/demo/iris-service.js';
import { MdqError, UsageError } from '../../src/errors.js';
import { dayOfDate, daysInRange, formatDay } from '../../src/layout/days.js';
import { openDatabase } from '../../src/query/database.js';
import { pull } from '../../src/query/pull/index.js';
import { streamQuery } from '../../src/query/run.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { terminalWidth } from '../context.js';
import { count } from '../render/counts.js';
import { resolveFormat, writeResult } from '../render/output.js';
import { formatPullSummary } from '../render/progress-lines.js';
import { writeDemoReport } from '../render/report/demo-report.js';
import type { Command } from './command.js';
import { databasePath } from './sql.js';

export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo',
  describe: 'Run an iris scoring service through the embedded collector, pull it, and query it',
  builder: (yargs) =>
    yargs
      .option('days', {
        type: 'number',
        default: 3,
        describe: 'Days of traffic to serve (ending today, UTC)',
      })
      .option('requests', {
        type: 'number',
        default: 40,
        describe: 'Requests per day (1 to 3 flowers each)',
      })
      .option('folder', {
        type: 'string',
        describe: `Local folder the collector writes (MDQ_MODELDATA_DIR, default ./${DEFAULT_MODELDATA_DIR})`,
      })
      .option('connection-string', {
        type: 'string',
        describe:
          'Collect into Azure Blob Storage (container modeldata) instead: Azure or Azurite; also AZURE_STORAGE_CONNECTION_STRING / AML_MODEL_DC_STORAGE',
      })
      .option('db', { type: 'string', describe: 'DuckDB file (MDQ_DB, default ./mdq.duckdb)' })
      .option('format', {
        type: 'string',
        describe: 'Result format: table|csv|json|ndjson|markdown',
      })
      .example('$0 demo', 'serve 3 days into ./modeldata, pull into ./mdq.duckdb, show the results')
      .example('$0 sql "select * from scored limit 5"', 'then explore the same data yourself')
      .epilog(
        'Each run appends another set of requests (the collector only appends), and the pull loads only what changed.',
      ),
  async run(args, context) {
    const days = wholeNumber(args.days, '--days', 1, 31);
    const requestsPerDay = wholeNumber(args.requests, '--requests', 1, 100_000);
    const connectionString =
      typeof args.connectionString === 'string'
        ? args.connectionString
        : connectionStringFromEnv(context.env);
    const folder = String(args.folder ?? context.env.MDQ_MODELDATA_DIR ?? DEFAULT_MODELDATA_DIR);
    const today = dayOfDate(new Date());
    const first = dayOfDate(
      new Date(Date.UTC(today.year, today.month - 1, today.day - (days - 1))),
    );
    const served = daysInRange(first, today);
    const note = (text: string) => context.stderr.write(`${text}\n`);

    note(
      `Serving ${count(days, 'day')} × ${count(requestsPerDay, 'request')} of ${DEMO_SERVICE} through mdq/collect…`,
    );
    const spoolDir = resolve(context.cwd, nonEmpty(context.env.MDQ_SPOOL_DIR) ?? DEFAULT_SPOOL_DIR);
    const service = await serveIrisDays({
      days: served,
      requestsPerDay,
      env: context.env,
      spoolDir,
      destination: connectionString
        ? { connectionString, container: DEFAULT_CONTAINER }
        : { folder: resolve(context.cwd, folder) },
    });
    const missing = service.rows.collected - service.rows.written;
    if (missing > 0) {
      // Pulling now would load a partial archive (or fail on the same storage): stop and say so.
      throw new MdqError('demo-not-stored', notStoredMessage(service, missing, spoolDir), {
        hint: connectionString
          ? 'check the connection string (account key or SAS) and that the account is reachable; the next run with the right one sends the spooled rows'
          : 'check that the folder is writable and the disk is not full',
      });
    }
    note(
      `  ${service.requests} requests, ${service.inputRows} input rows, model accuracy on iris ${(service.trainingAccuracy * 100).toFixed(1)} %, written to ${service.destination}`,
    );

    const { store } = await resolveStore(
      connectionString ? `az://${DEFAULT_CONTAINER}` : resolve(context.cwd, folder),
      {
        env: context.env,
        cwd: context.cwd,
        ...(connectionString ? { connectionString } : {}),
      },
    );
    const dbPath = databasePath(args, context);
    note(
      `Pulling ${formatDay(first)}..${formatDay(today)} from ${store.description} into ${dbPath}…`,
    );
    const result = await pull({
      store,
      source: store.description,
      dbPath,
      service: DEMO_SERVICE,
      from: first,
      to: today,
      signal: context.signal,
    });
    context.stderr.write(formatPullSummary(result));

    const format = resolveFormat(args.format as string | undefined, true);
    const db = await openDatabase(dbPath, { mustExist: true });
    try {
      for (const query of demoQueries(formatDay(first), formatDay(today))) {
        note(`\n${query.title}`);
        const stream = await streamQuery(db.connection, query.sql, { signal: context.signal });
        await writeResult(stream, context.stdout, {
          format,
          useColor: context.useColor,
          notes: context.stderr,
          table: { width: terminalWidth(context) },
        });
      }
    } finally {
      db.close();
    }
    note(`\nReport (drift, data quality): ${await writeDemoReport(dbPath, context.signal)}`);
    note(
      `\nNext: mdq sql "select _date, prediction, count(*) from scored group by all order by all"`,
    );
    return result.quarantined.length > 0 ? 1 : 0;
  },
};

/** `8 of the demo's 8 rows did not reach <where>: <why>; they wait in the spool <dir>` */
function notStoredMessage(
  service: Awaited<ReturnType<typeof serveIrisDays>>,
  missing: number,
  spoolDir: string,
): string {
  const { collected, spooled, dropped } = service.rows;
  const parts = [
    `${missing} of the demo's ${collected} rows did not reach ${service.destination}: ${service.firstError ?? 'storage did not take them'}`,
  ];
  if (spooled > 0) {
    parts.push(
      `${spooled === missing ? 'they' : `${spooled} of them`} wait in the spool ${spoolDir}`,
    );
  }
  if (dropped > 0) {
    parts.push(`${dropped} were lost (spool full or unwritable)`);
  }
  return parts.join('; ');
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
