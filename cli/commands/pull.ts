import { existsSync } from 'node:fs';
import { DEFAULT_CONCURRENCY } from '../../src/config.js';
import { InterruptedError, UsageError } from '../../src/errors.js';
import { dayKey, formatDay, parseDay, todayUtc } from '../../src/layout/days.js';
import { LAYOUT_KINDS } from '../../src/layout/types.js';
import {
  type LayoutChoice,
  type PullProgress,
  type PullResult,
  pull,
} from '../../src/query/pull/index.js';
import { isRole, ROLES, type Role } from '../../src/query/roles.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import type { CliContext } from '../context.js';
import {
  formatEmptyPull,
  formatInterruptedSummary,
  formatPullSummary,
  PlainProgress,
} from '../render/progress-lines.js';
import { formatQuarantineNotes } from '../render/quarantine-notes.js';
import type { Command } from './command.js';
import { databasePath } from './sql.js';

export const pullCommand: Command = {
  name: 'pull',
  usage: 'pull',
  describe: 'Download a date range of collected data into DuckDB (incremental, resumable)',
  builder: (yargs) =>
    yargs
      .option('source', {
        type: 'string',
        describe:
          'Folder, az://container[/prefix], or container URL (https://…[?sas], http://127.0.0.1:port/account/container). Default: MDQ_SOURCE, else the modeldata container of the connection string, else ./modeldata',
      })
      .option('service', {
        type: 'string',
        demandOption: true,
        describe: 'Web service (v2: endpoint) to pull',
      })
      .option('from', {
        type: 'string',
        demandOption: true,
        describe: 'First day, YYYY-MM-DD (UTC)',
      })
      .option('to', { type: 'string', describe: 'Last day, inclusive (default: today, UTC)' })
      .option('model', { type: 'string', describe: 'Only this model (v2: deployment)' })
      .option('model-version', {
        type: 'string',
        describe: 'Only this model version (Workbench, AKS)',
      })
      .option('identifier', {
        type: 'string',
        array: true,
        describe:
          'Only these identifiers/designations/collections (repeatable); v2 request/response only when named',
      })
      .option('layout', {
        type: 'string',
        choices: ['auto', ...LAYOUT_KINDS] as const,
        default: 'auto',
        describe: 'Collector layout',
      })
      .option('role', {
        type: 'string',
        array: true,
        describe: `identifier=${ROLES.join('|')} (repeatable): the role of an identifier whose name does not say it (labels, ground_truth and feedback are labels already); remembered in the database`,
      })
      .option('label-delay', {
        type: 'number',
        describe:
          'Days past --to the labels role is also pulled: ground truth is filed days after its requests (default 7, 0: none)',
      })
      .option('db', { type: 'string', describe: 'DuckDB file (MDQ_DB, default ./mdq.duckdb)' })
      .option('concurrency', {
        type: 'number',
        describe: `Concurrent downloads (MDQ_CONCURRENCY, default ${DEFAULT_CONCURRENCY})`,
      })
      .option('connection-string', {
        type: 'string',
        describe:
          'Azure Storage connection string (else AZURE_STORAGE_CONNECTION_STRING, AML_MODEL_DC_STORAGE)',
      })
      .option('dismiss-quarantined', {
        type: 'boolean',
        describe:
          'Stop counting blobs an earlier pull quarantined that have not changed since (kept in mdq_manifest as dismissed)',
      })
      .example(
        '$0 pull --service irisapp --from 2024-01-01',
        'from ./modeldata (or MDQ_SOURCE) into ./mdq.duckdb',
      )
      .example(
        '$0 pull --source az://modeldata --service irisapp --from 2024-01-01 --to 2024-01-31',
        'January from Azure, with AZURE_STORAGE_CONNECTION_STRING set',
      )
      .example(
        '$0 pull --source "https://acct.blob.core.windows.net/azureml-blobstore-…?<sas>" --service my-endpoint --from 2024-03-01 --identifier model_inputs --identifier model_outputs',
        'v2 collections through a SAS URL',
      )
      .example('$0 sql "select * from scored limit 10"', 'then query: inputs joined to predictions')
      .epilog(
        'Re-running a pull loads only new and changed blobs. Tables: inputs, predictions, labels, one per other identifier; view scored (inputs with their predictions and labels); manifest mdq_manifest. Exit codes: 0 ok, 1 some blob quarantined (now or by an earlier pull, unchanged and not dismissed) or a failure, 2 usage, 130 interrupted.',
      ),
  async run(args, context) {
    const from = parseDay(String(args.from), '--from');
    const to = args.to === undefined ? todayUtc() : parseDay(String(args.to), '--to');
    if (dayKey(from) > dayKey(to)) {
      const toText =
        args.to === undefined
          ? `--to, which defaults to today (${formatDay(to)}, UTC)`
          : `--to ${formatDay(to)}`;
      throw new UsageError(`--from ${formatDay(from)} is after ${toText}`, {
        hint:
          args.to === undefined
            ? 'give a --from up to today, or a later --to as well (both are inclusive, UTC)'
            : 'give the earlier day as --from (both are inclusive, UTC)',
      });
    }
    const concurrency = concurrencyOf(args.concurrency, context);
    const connectionString = args.connectionString;
    const { store } = await resolveStore(args.source as string | undefined, {
      env: context.env,
      cwd: context.cwd,
      ...(typeof connectionString === 'string' ? { connectionString } : {}),
    });
    const identifiers = (args.identifier as string[] | undefined)?.filter((id) => id !== '');
    const roles = rolesOf(args.role);
    const labelDelayDays = labelDelayOf(args.labelDelay);
    const reporter = await progressReporter(context);
    try {
      const result = await pull({
        store,
        source: store.description,
        dbPath: databasePath(args, context),
        service: String(args.service),
        from,
        to,
        ...(typeof args.model === 'string' ? { model: args.model } : {}),
        ...(typeof args.modelVersion === 'string' ? { modelVersion: args.modelVersion } : {}),
        ...(identifiers && identifiers.length > 0 ? { identifiers } : {}),
        layout: args.layout as LayoutChoice,
        ...(Object.keys(roles).length > 0 ? { roles } : {}),
        ...(labelDelayDays === undefined ? {} : { labelDelayDays }),
        concurrency,
        dismissQuarantined: args.dismissQuarantined === true,
        signal: context.signal,
        onProgress: reporter.update,
      });
      reporter.done();
      if (result.blobsListed === 0) {
        context.stderr.write(await emptyPullReport(result, store, args, context));
        return 0;
      }
      context.stderr.write(formatPullSummary(result) + formatQuarantineNotes(result));
      // A blob deleted while pulling (retention) is reported, not a failure; one that cannot be
      // loaded is, on every pull of it, until it changes or is dismissed.
      return result.quarantined.length > 0 || result.stillQuarantined.length > 0 ? 1 : 0;
    } catch (error) {
      reporter.done();
      if (error instanceof InterruptedError) {
        context.stderr.write(formatInterruptedSummary(reporter.latest()));
      }
      throw error;
    }
  },
};

/**
 * Nothing in the range: which days the source does hold for the service, so the next try can
 * aim at them. The pull kept no database it would have created empty.
 */
async function emptyPullReport(
  result: PullResult,
  store: BlobStore,
  args: Record<string, unknown>,
  context: CliContext,
): Promise<string> {
  const { summariseSource } = await import('../../src/query/source-summary.js');
  const streams = await summariseSource(store, {
    layout: args.layout as LayoutChoice,
    signal: context.signal,
  });
  return formatEmptyPull({
    service: String(args.service),
    from: String(args.from),
    to: args.to === undefined ? formatDay(todayUtc()) : String(args.to),
    source: store.description,
    held: streams.filter((stream) => stream.service === String(args.service)),
    dbPath: existsSync(result.dbPath) ? result.dbPath : undefined,
  });
}

/** `--role name=labels` flags as a map; a malformed one is a usage error naming it. */
function rolesOf(flags: unknown): Record<string, Role> {
  const roles: Record<string, Role> = {};
  for (const flag of (flags as string[] | undefined) ?? []) {
    const at = String(flag).lastIndexOf('=');
    const identifier = at > 0 ? String(flag).slice(0, at) : '';
    const role = String(flag).slice(at + 1);
    if (identifier === '' || !isRole(role)) {
      throw new UsageError(`--role "${String(flag)}" is not <identifier>=${ROLES.join('|')}`, {
        hint: 'e.g. --role feedback_v3=labels (repeat --role for more identifiers)',
      });
    }
    roles[identifier] = role;
  }
  return roles;
}

function labelDelayOf(flag: unknown): number | undefined {
  if (flag === undefined) {
    return undefined;
  }
  const value = Number(flag);
  if (!Number.isInteger(value) || value < 0 || value > 366) {
    throw new UsageError(
      `--label-delay must be a whole number of days from 0 to 366, got "${String(flag)}"`,
      {
        hint: 'use --label-delay 7 (the default), or 0 to pull labels only up to --to',
      },
    );
  }
  return value;
}

function concurrencyOf(flag: unknown, context: CliContext): number {
  const raw = flag ?? context.env.MDQ_CONCURRENCY;
  if (raw === undefined || raw === '') {
    return DEFAULT_CONCURRENCY;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    const name = flag === undefined ? 'MDQ_CONCURRENCY' : '--concurrency';
    throw new UsageError(`${name} must be a whole number from 1 to 256, got "${String(raw)}"`, {
      hint: 'use --concurrency 16 (or MDQ_CONCURRENCY)',
    });
  }
  return value;
}

interface Reporter {
  update: (progress: PullProgress) => void;
  done: () => void;
  latest: () => PullProgress | undefined;
}

/**
 * ink on an interactive stderr, throttled plain lines otherwise; never stdout. ink (with React)
 * is imported only when it draws: loading it costs ~150 ms of every start-up.
 */
async function progressReporter(context: CliContext): Promise<Reporter> {
  let latest: PullProgress | undefined;
  if (!context.isInteractive) {
    const plain = new PlainProgress((text) => context.stderr.write(text));
    return {
      update: (progress) => {
        latest = progress;
        plain.update(progress);
      },
      done: () => undefined,
      latest: () => latest,
    };
  }
  const { startInkProgress } = await import('../render/progress.js');
  const ink = startInkProgress(context.stderr as NodeJS.WriteStream);
  let lastDraw = 0;
  const draw = () => {
    if (latest) {
      lastDraw = Date.now();
      ink.update(latest);
    }
  };
  return {
    update: (progress) => {
      latest = progress;
      // Progress comes per downloaded chunk; a terminal needs ten frames a second at most.
      if (Date.now() - lastDraw >= 100 || progress.phase !== 'downloading') {
        draw();
      }
    },
    done: () => {
      draw();
      ink.done();
    },
    latest: () => latest,
  };
}
