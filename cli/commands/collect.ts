import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type CollectFormat,
  ModelDataCollector,
  type ModelDataCollectorOptions,
} from '../../src/collect/index.js';
import {
  DEFAULT_MODELDATA_DIR,
  DEFAULT_SPOOL_DIR,
  isCollectorStorageEnabled,
  nonEmpty,
} from '../../src/config.js';
import { InterruptedError, MdqError } from '../../src/errors.js';
import { redactSecrets } from '../../src/secrets.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import type { CliContext } from '../context.js';
import type { Command } from './command.js';

const FORMATS: readonly CollectFormat[] = ['workbench', 'aks', 'v2'];
/** Upload warnings shown before they are only counted (an outage would repeat them endlessly). */
const MAX_WARNINGS = 5;

/**
 * `mdq collect`: the embedded collector as a sidecar. Each stdin line is one collect() call:
 * a JSON row object, an array of rows, or `{"$rows": [...], "$correlationId": "..."}` to tie
 * the rows to another collector's (e.g. a second `mdq collect --identifier prediction`).
 */
export const collectCommand: Command = {
  name: 'collect',
  usage: 'collect',
  describe: 'Collect NDJSON rows from stdin into the archive (a sidecar for non-Node services)',
  builder: (yargs) =>
    yargs
      .option('service', {
        type: 'string',
        demandOption: true,
        describe: 'Web service / endpoint name',
      })
      .option('identifier', {
        type: 'string',
        demandOption: true,
        describe: 'Identifier / designation / collection, e.g. inputs, prediction',
      })
      .option('model', { type: 'string', default: 'model', describe: 'Model name' })
      .option('model-version', { type: 'string', describe: 'Model version' })
      .option('format', {
        type: 'string',
        choices: FORMATS,
        default: 'workbench',
        describe: 'On-storage format',
      })
      .option('source', {
        type: 'string',
        describe:
          'Where to write: a folder or az://container[/prefix] (default: AML_MODEL_DC_STORAGE when enabled, else ./modeldata)',
      })
      .option('connection-string', {
        type: 'string',
        describe:
          'Azure Storage connection string for az:// (else AZURE_STORAGE_CONNECTION_STRING, AML_MODEL_DC_STORAGE)',
      })
      .option('feature-names', {
        type: 'string',
        describe: 'Comma-separated column names for array rows',
      })
      .example(
        'my-service | $0 collect --service irisapp --identifier inputs',
        'one JSON row (or array of rows) per line',
      )
      .example(
        '$0 collect --service irisapp --identifier prediction --format aks < preds.ndjson',
        'AKS layout and columns',
      )
      .epilog(
        'Each line is one collect() call: a row object, an array of rows, or {"$rows": [...], "$correlationId": "..."} to tie predictions to their inputs. Writes where the embedded collector would: AML_MODEL_DC_STORAGE_ENABLED=true + AML_MODEL_DC_STORAGE, else ./modeldata.',
      ),
  async run(args, context) {
    const warnings = { shown: 0, more: 0 };
    let lastRejection: string | undefined;
    let insideCollect = false;
    const onError = (error: MdqError) => {
      if (insideCollect) {
        // A rejected line: reported with its line number below, not as a warning.
        lastRejection = error.message;
        return;
      }
      if (warnings.shown < MAX_WARNINGS) {
        warnings.shown++;
        context.stderr.write(redactSecrets(`mdq: warning: ${error.message}\n`));
      } else {
        warnings.more++;
      }
    };
    const spoolDir = resolve(context.cwd, nonEmpty(context.env.MDQ_SPOOL_DIR) ?? DEFAULT_SPOOL_DIR);
    const collector = new ModelDataCollector(String(args.model), {
      ...(await destinationOf(args, context)),
      spoolDir,
      service: String(args.service),
      identifier: String(args.identifier),
      format: args.format as CollectFormat,
      ...(typeof args.modelVersion === 'string' ? { modelVersion: args.modelVersion } : {}),
      ...(typeof args.featureNames === 'string'
        ? { featureNames: args.featureNames.split(',').map((name) => name.trim()) }
        : {}),
      env: context.env,
      onError: (error) => onError(error),
    });

    let lineNumber = 0;
    let lines = 0;
    let bad = 0;
    const input = createInterface({ input: context.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    const stop = () => input.close();
    context.signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of input) {
        lineNumber++;
        if (line.trim() === '') {
          continue;
        }
        lines++;
        insideCollect = true;
        const problem = collectLine(collector, line, () => {
          const message = lastRejection;
          lastRejection = undefined;
          return message;
        });
        insideCollect = false;
        if (problem !== undefined) {
          bad++;
          context.stderr.write(redactSecrets(`mdq: line ${lineNumber}: ${problem}\n`));
        }
      }
    } finally {
      context.signal.removeEventListener('abort', stop);
      await collector.close();
    }
    const stats = collector.stats();
    const replayed = stats.replayed > 0 ? `, replayed ${stats.replayed} from the spool` : '';
    const extra = warnings.more > 0 ? `, ${warnings.more} more warnings` : '';
    context.stderr.write(
      `mdq collect: ${stats.collected} rows from ${lines} lines (${bad} bad); ` +
        `written ${stats.written}, spooled ${stats.spooled}, dropped ${stats.dropped}${replayed}${extra} → ${redactSecrets(stats.destination)}\n`,
    );
    const waiting = stats.collected - stats.written - stats.dropped;
    if (waiting > 0) {
      // Not a failure: the spool is the collector's outage path, and the next run sends them.
      context.stderr.write(
        `mdq collect: ${waiting} rows wait in the spool ${spoolDir}; the next mdq collect (or collector) for this destination sends them\n`,
      );
    }
    if (context.signal.aborted) {
      throw new InterruptedError();
    }
    if (bad > 0 || stats.dropped > 0) {
      throw incomplete(bad, lines, stats.dropped, spoolDir);
    }
    return 0;
  },
};

/** Lines that were not collected, or rows the spool could not take: the run did not do it all. */
function incomplete(bad: number, lines: number, dropped: number, spoolDir: string): MdqError {
  const parts: string[] = [];
  const hints: string[] = [];
  if (bad > 0) {
    parts.push(`${bad} of ${lines} lines were rejected (numbered above) and not collected`);
    hints.push(
      'each line must be a JSON row object, an array of rows, or {"$rows": [...], "$correlationId": "..."}',
    );
  }
  if (dropped > 0) {
    parts.push(`${dropped} rows were lost: the spool ${spoolDir} was full or unwritable`);
    hints.push('free disk space for the spool, or make storage reachable');
  }
  return new MdqError('collect-incomplete', parts.join('; '), { hint: hints.join('; ') });
}

/** Collects one line; returns what was wrong with it, if anything. */
function collectLine(
  collector: ModelDataCollector,
  line: string,
  takeRejection: () => string | undefined,
): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const before = collector.stats().rejected;
  if (isEnvelope(value)) {
    const id = value.$correlationId;
    collector.collect(value.$rows, typeof id === 'string' ? { correlationId: id } : undefined);
  } else {
    collector.collect(value);
  }
  return collector.stats().rejected > before ? (takeRejection() ?? 'rows rejected') : undefined;
}

function isEnvelope(value: unknown): value is { $rows: unknown; $correlationId?: unknown } {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, '$rows');
}

/** --source wins; else the collector's own env rules, with the local folder under --cwd. */
async function destinationOf(
  args: Record<string, unknown>,
  context: CliContext,
): Promise<Pick<ModelDataCollectorOptions, 'store' | 'folder'>> {
  const source = typeof args.source === 'string' ? args.source : undefined;
  if (source !== undefined) {
    const connectionString =
      typeof args.connectionString === 'string' ? args.connectionString : undefined;
    const { store } = await resolveStore(source, {
      env: context.env,
      cwd: context.cwd,
      ...(connectionString === undefined ? {} : { connectionString }),
    });
    return { store };
  }
  if (isCollectorStorageEnabled(context.env)) {
    return {}; // AML_MODEL_DC_STORAGE, read by the collector from env
  }
  return {
    folder: resolve(context.cwd, nonEmpty(context.env.MDQ_MODELDATA_DIR) ?? DEFAULT_MODELDATA_DIR),
  };
}
