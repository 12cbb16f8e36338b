import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DEFAULT_DB_FILE } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { openDatabase } from '../../src/query/database.js';
import { type CliContext, terminalWidth } from '../context.js';
import {
  DEFAULT_TABLE_LIMIT,
  OUTPUT_FORMATS,
  type OutputFormat,
  resolveFormat,
  writeQuery,
} from '../render/output.js';
import { runScript } from '../render/shell-script.js';
import { stdoutFilePath, stdoutPipePath } from '../render/stdout-file.js';
import type { Command } from './command.js';

export const sqlCommand: Command = {
  name: 'sql',
  usage: 'sql [query]',
  describe: 'Run SQL over the database (no query: an interactive shell, or statements from stdin)',
  builder: (yargs) =>
    yargs
      .positional('query', { type: 'string', describe: 'SQL to run; several statements with ;' })
      .option('db', {
        type: 'string',
        describe: `DuckDB file (MDQ_DB, default ./${DEFAULT_DB_FILE})`,
      })
      .option('format', {
        type: 'string',
        choices: OUTPUT_FORMATS,
        describe: 'Output format (default: table on a terminal, ndjson otherwise)',
      })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the result to this file' })
      .option('limit', {
        type: 'number',
        describe: `Rows shown in a table (default ${DEFAULT_TABLE_LIMIT})`,
      })
      .option('all', { type: 'boolean', describe: 'Show every row in a table' })
      .example(
        '$0 sql "select _date, prediction, count(*) from scored group by all order by all"',
        'predictions per day, inputs already joined',
      )
      .example(
        '$0 sql "select * from inputs" --format csv > inputs.csv',
        'stream any result as CSV',
      )
      .example(
        '$0 sql',
        'an interactive shell on a terminal: Tab completes names; .tables, .schema <t>, \\x, .help, .quit',
      )
      .example('echo "select count(*) from scored;" | $0 sql', 'statements from stdin')
      .epilog(
        'Tables: inputs, predictions, labels and one per other identifier, each with _service, _model, _model_version, _identifier, _date, _ts, _correlation_id, _row, _blob. View scored: each input row LEFT JOINed to its own prediction, with _matched. Manifest: mdq_manifest.',
      ),
  async run(args, context) {
    const output = args.output as string | undefined;
    const format = resolveFormat(
      (args.format as string | undefined) ?? (output ? formatFromExtension(output) : undefined),
      output === undefined && context.isStdoutTTY,
    );
    const tableLimit = args.all ? undefined : tableLimitOf(args.limit);
    const query = args.query as string | undefined;
    const db = await openDatabase(databasePath(args, context), { mustExist: true });
    try {
      if (query === undefined && context.stdin.isTTY) {
        if (!context.isInteractive) {
          throw new UsageError('no query given and no terminal for the shell', {
            hint: 'pass the SQL as an argument, or pipe statements into mdq sql',
          });
        }
        const { runShell } = await import('../render/shell.js');
        return await runShell(db.connection, context, { tableLimit });
      }
      const outputPath = output ? resolve(context.cwd, output) : undefined;
      const out = outputPath ? await openOutput(outputPath) : context.stdout;
      // A file DuckDB may write itself: -o's, or the one stdout is redirected to (`> f`).
      const outputFile = outputPath ?? stdoutFilePath(context.stdout);
      // Or the pipe it is read from (`| reader`).
      const outputPipe = outputPath ? undefined : stdoutPipePath(context.stdout);
      const options = {
        format,
        tableLimit,
        useColor: context.useColor && !output,
        notes: context.stderr,
        // A table on the terminal fits its width; in a file it keeps every column.
        table: { width: out === context.stdout ? terminalWidth(context) : undefined },
        isTerminal: !output && context.isStdoutTTY,
        signal: context.signal,
        openSideConnection: () => db.connect(),
      };
      if (query === undefined) {
        const text = await readAll(context.stdin);
        await runScript(db.connection, text, { ...options, out });
      } else {
        await writeQuery(db.connection, query, out, {
          ...options,
          ...(outputFile ? { outputFile } : {}),
          ...(outputPipe ? { outputPipe } : {}),
        });
      }
      if (out !== context.stdout) {
        out.end();
        await finished(out);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};

export function databasePath(args: Record<string, unknown>, context: CliContext): string {
  if (args.db === '') {
    // `--db=` would resolve to the current folder.
    throw new UsageError('--db needs a file name', { hint: 'e.g. --db mdq.duckdb' });
  }
  const db = (args.db as string | undefined) ?? context.env.MDQ_DB ?? DEFAULT_DB_FILE;
  return resolve(context.cwd, db);
}

function tableLimitOf(limit: unknown): number {
  if (limit === undefined) {
    return DEFAULT_TABLE_LIMIT;
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw new UsageError(`--limit must be a whole number ≥ 0, got ${String(limit)}`);
  }
  return limit;
}

function formatFromExtension(file: string): OutputFormat {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  const byExtension: Record<string, OutputFormat> = { csv: 'csv', json: 'json', md: 'markdown' };
  return (extension && byExtension[extension]) || 'ndjson';
}

async function openOutput(path: string): Promise<Writable> {
  // Open first so a bad path is a one-line error now, not an unhandled stream error later.
  const handle = await open(path, 'w').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot write --output ${path}: ${error.code ?? error.message}`, {
      hint: 'check that the folder exists and is writable',
    });
  });
  return handle.createWriteStream();
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
