import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { openDatabase } from '../../src/query/database.js';
import { buildReport, type ReportOptions } from '../../src/report/build-report.js';
import { parseThresholds } from '../../src/report/thresholds.js';
import type { Report, SignalKind } from '../../src/report/types.js';
import { parseDayRange } from '../../src/report/windows.js';
import type { CliContext } from '../context.js';
import { reportMarkdown, reportTable } from '../render/report/report-text.js';
import { reportHeadline, reportJson } from '../render/report/signal-rows.js';
import { writeReportPage } from '../render/report/write-page.js';
import type { Command } from './command.js';
import { databasePath } from './sql.js';

const FORMATS = ['table', 'json', 'markdown'] as const;
const FAIL_ON = ['drift', 'quality', 'performance', 'any'] as const;
/** `--fail-on` exits with this when a signal of the kind asked for failed (CI gates on it). */
export const SIGNAL_FAILED_EXIT = 3;

const KINDS_OF: Record<(typeof FAIL_ON)[number], readonly SignalKind[]> = {
  drift: ['data_drift', 'prediction_drift'],
  quality: ['data_quality'],
  performance: ['performance'],
  any: ['data_drift', 'prediction_drift', 'data_quality', 'performance'],
};

export const reportCommand: Command = {
  name: 'report',
  usage: 'report',
  describe: 'Drift, data quality and model performance: a summary table, JSON, or one HTML page',
  builder: (yargs) =>
    yargs
      .option('db', { type: 'string', describe: 'DuckDB file (MDQ_DB, default ./mdq.duckdb)' })
      .option('service', {
        type: 'string',
        describe: 'Web service (needed when the database holds several)',
      })
      .option('target', {
        type: 'string',
        describe: 'Days judged, A..B or one day (default: the last day with inputs)',
      })
      .option('baseline', {
        type: 'string',
        describe:
          'What the target is compared with: days A..B (default: the 7 days before the target), a CSV/Parquet file of training data, or a table',
      })
      .option('out', { type: 'string', describe: 'Write one self-contained HTML page here' })
      .option('format', {
        type: 'string',
        choices: FORMATS,
        describe: 'Summary on stdout (default: table on a terminal, json otherwise)',
      })
      .option('fail-on', {
        type: 'string',
        choices: FAIL_ON,
        describe: `Exit ${SIGNAL_FAILED_EXIT} when a signal of this kind fails`,
      })
      .option('threshold', {
        type: 'string',
        array: true,
        describe:
          'metric=value or column:metric=value (repeatable; value none switches a default off)',
      })
      .option('config', {
        type: 'string',
        describe: 'JSON file: {"thresholds": {"metric": value, ...}}',
      })
      .option('label-column', {
        type: 'string',
        describe: 'Ground-truth column of scored (default: the labels’ only data column)',
      })
      .option('prediction-column', {
        type: 'string',
        describe: 'Prediction column of scored (default: prediction, or the only one)',
      })
      .option('task', {
        type: 'string',
        choices: ['classification', 'regression'],
        describe: 'Model task (default: guessed from the labels)',
      })
      .example('$0 report', 'the last day against the week before it, as a table')
      .example('$0 report --out report.html', 'the same as one HTML page')
      .example(
        '$0 report --baseline train.parquet --fail-on drift --format json',
        'gate a deployment on drift from the training data',
      )
      .epilog(
        'Defaults as Azure ML model monitoring sets them: normalized Wasserstein distance > 0.1 (numeric) or Jensen–Shannon distance > 0.1 (categorical) is drift; any null, type error or out-of-bounds value beyond the baseline is a quality failure; accuracy, precision or recall < 0.5 fails performance.',
      ),
  async run(args, context) {
    const options: ReportOptions = {
      cwd: context.cwd,
      thresholds: parseThresholds(
        (args.threshold as string[] | undefined) ?? [],
        await configThresholds(args.config as string | undefined, context),
      ),
      signal: context.signal,
    };
    const given = (name: string) =>
      typeof args[name] === 'string' ? (args[name] as string) : undefined;
    const service = given('service');
    const baseline = given('baseline');
    const labelColumn = given('labelColumn');
    const predictionColumn = given('predictionColumn');
    const task = given('task') as ReportOptions['task'];
    Object.assign(options, {
      ...(service ? { service } : {}),
      ...(baseline ? { baseline } : {}),
      ...(labelColumn ? { labelColumn } : {}),
      ...(predictionColumn ? { predictionColumn } : {}),
      ...(task ? { task } : {}),
    });
    if (typeof args.target === 'string') {
      const target = parseDayRange(args.target, '--target');
      if (!target) {
        throw new UsageError(`--target ${args.target}: expected a day or a range A..B`);
      }
      options.target = target;
    }
    const db = await openDatabase(databasePath(args, context), { mustExist: true, readOnly: true });
    let report: Report;
    try {
      report = await buildReport(db.connection, options);
    } finally {
      db.close();
    }
    const out = args.out as string | undefined;
    if (out !== undefined) {
      const path = resolve(context.cwd, out);
      // Vega loads only for a page: importing it costs every mdq start-up ~0.7-1.1 s.
      const { reportHtml } = await import('../render/report/report-html.js');
      await writeReportPage(path, await reportHtml(report, new Date()));
      context.stderr.write(`${reportHeadline(report).join('\n')}\nwrote ${path}\n`);
    }
    const format =
      (args.format as string | undefined) ??
      (out !== undefined ? undefined : context.isStdoutTTY ? 'table' : 'json');
    if (format === 'json') {
      context.stdout.write(reportJson(report));
    } else if (format === 'markdown') {
      context.stdout.write(reportMarkdown(report));
    } else if (format === 'table') {
      context.stderr.write(`${reportHeadline(report).join('\n')}\n`);
      context.stdout.write(reportTable(report, context.useColor));
    }
    for (const note of report.notes) {
      context.stderr.write(`note: ${note}\n`);
    }
    const failOn = args.failOn as (typeof FAIL_ON)[number] | undefined;
    const failing = failOn
      ? report.signals.filter((s) => s.status === 'fail' && KINDS_OF[failOn].includes(s.signal))
      : [];
    return failing.length > 0 ? SIGNAL_FAILED_EXIT : 0;
  },
};

async function configThresholds(
  file: string | undefined,
  context: CliContext,
): Promise<Record<string, unknown>> {
  if (file === undefined) {
    return {};
  }
  const path = resolve(context.cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: 'a JSON file such as {"thresholds": {"normalized_wasserstein_distance": 0.2}}',
      },
    );
  }
  const thresholds = (parsed as { thresholds?: unknown } | null)?.thresholds;
  if (typeof thresholds !== 'object' || thresholds === null || Array.isArray(thresholds)) {
    throw new UsageError(`--config ${file}: expected an object with a "thresholds" object`);
  }
  return thresholds as Record<string, unknown>;
}
