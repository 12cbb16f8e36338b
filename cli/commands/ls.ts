import { LAYOUT_KINDS, type LayoutKind } from '../../src/layout/types.js';
import { openDatabase } from '../../src/query/database.js';
import { describeDatabase } from '../../src/query/describe.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { formatDatabaseSummary, formatSourceSummary } from '../render/formats/summary.js';
import type { Command } from './command.js';
import { databasePath } from './sql.js';

export const lsCommand: Command = {
  name: 'ls',
  usage: 'ls',
  describe: 'What a source holds (--source), or what the database holds',
  builder: (yargs) =>
    yargs
      .option('source', {
        type: 'string',
        describe: 'Folder, az://container[/prefix] or container URL (MDQ_SOURCE)',
      })
      .option('layout', {
        type: 'string',
        choices: ['auto', ...LAYOUT_KINDS] as const,
        default: 'auto',
      })
      .option('connection-string', { type: 'string', describe: 'Azure Storage connection string' })
      .option('json', { type: 'boolean', describe: 'Print the summary as JSON' })
      .option('db', { type: 'string', describe: 'DuckDB file (MDQ_DB, default ./mdq.duckdb)' })
      .example('$0 ls', 'tables, rows, days per service and blobs in ./mdq.duckdb')
      .example(
        '$0 ls --source az://modeldata',
        'services, models, versions and identifiers in an archive, with first and last day',
      ),
  async run(args, context) {
    const asJson = args.json === true;
    if (typeof args.source === 'string') {
      const resolved = await resolveStore(args.source as string | undefined, {
        env: context.env,
        cwd: context.cwd,
        ...(typeof args.connectionString === 'string'
          ? { connectionString: args.connectionString }
          : {}),
      });
      const { summariseSource } = await import('../../src/query/source-summary.js');
      const streams = await summariseSource(resolved.store, {
        layout: args.layout as LayoutKind | 'auto',
        signal: context.signal,
      });
      context.stdout.write(
        asJson
          ? `${JSON.stringify(streams, null, 2)}\n`
          : formatSourceSummary(streams, resolved.store.description),
      );
      return 0;
    }
    const db = await openDatabase(databasePath(args, context), { mustExist: true });
    try {
      const summary = await describeDatabase(db.connection);
      context.stdout.write(
        asJson ? `${JSON.stringify(summary, null, 2)}\n` : formatDatabaseSummary(summary, db.path),
      );
      return 0;
    } finally {
      db.close();
    }
  },
};
