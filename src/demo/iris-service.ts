import { ModelDataCollector, type ModelDataCollectorOptions } from '../collect/index.js';
import type { Env } from '../config.js';
import { type Day, formatDay } from '../layout/index.js';
import { IRIS_FEATURES, type IrisRow, loadIris } from './iris-data.js';
import { IrisModel } from './iris-model.js';
import { seededRandom } from './random.js';

export const DEMO_SERVICE = 'irisapp';
export const DEMO_MODEL = 'iris-nb';
export const DEMO_MODEL_VERSION = '1';

export interface ServeIrisOptions {
  /** The days to serve, oldest first (UTC). */
  days: readonly Day[];
  requestsPerDay: number;
  /** Where the collectors write (a folder, or Azure through a connection string). */
  destination: Pick<
    ModelDataCollectorOptions,
    'folder' | 'connectionString' | 'container' | 'store'
  >;
  /** The collectors' disk spool (default: MDQ_SPOOL_DIR, else ./.mdq-spool). */
  spoolDir?: string;
  env?: Env;
  seed?: number;
  /** No request is served after this instant (ms since epoch; default now): today is served up to now. */
  until?: number;
}

export interface ServeIrisResult {
  requests: number;
  inputRows: number;
  /** The model's accuracy on the labelled rows it was trained on (it is a real model). */
  trainingAccuracy: number;
  /** Per served day: predictions by species, as the service itself counted them. */
  predictionsByDay: Record<string, Record<string, number>>;
  destination: string;
  /** Rows of both collectors: collected, and of those in storage, spooled, lost. */
  rows: { collected: number; written: number; spooled: number; dropped: number };
  /** The first problem the collectors reported (secret-free), if any. */
  firstError: string | undefined;
}

/**
 * The demo's scoring web service: a Gaussian naive Bayes model trained on iris, serving a few
 * days of requests (1 to 3 flowers each) through two embedded collectors, `inputs` and
 * `prediction`, exactly as a Node service would. Later days drift towards longer petals, so the
 * prediction mix changes from day to day, which is what monitoring is for.
 */
export async function serveIrisDays(options: ServeIrisOptions): Promise<ServeIrisResult> {
  const iris = loadIris();
  const model = IrisModel.train(iris);
  const random = seededRandom(options.seed ?? 7);
  const until = options.until ?? Date.now();
  let now = 0;
  let firstError: string | undefined;
  const common: ModelDataCollectorOptions = {
    ...options.destination,
    format: 'workbench',
    service: DEMO_SERVICE,
    modelVersion: DEMO_MODEL_VERSION,
    clock: () => now,
    onError: (error) => {
      firstError ??= error.message;
    },
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
    ...(options.env ? { env: options.env } : {}),
  };
  const inputsDc = new ModelDataCollector(DEMO_MODEL, {
    ...common,
    identifier: 'inputs',
    featureNames: IRIS_FEATURES,
  });
  const predictionDc = new ModelDataCollector(DEMO_MODEL, { ...common, identifier: 'prediction' });
  const predictionsByDay: Record<string, Record<string, number>> = {};
  let requests = 0;
  let inputRows = 0;
  try {
    options.days.forEach((day, dayIndex) => {
      const counts: Record<string, number> = {};
      predictionsByDay[formatDay(day)] = counts;
      const drift = options.days.length > 1 ? dayIndex / (options.days.length - 1) : 0;
      const dayStart = Date.UTC(day.year, day.month - 1, day.day);
      const dayLength = Math.max(1, Math.min(86_400_000, until - dayStart));
      for (let r = 0; r < options.requestsPerDay; r += 1) {
        now = dayStart + Math.floor(((r + random()) / options.requestsPerDay) * dayLength);
        const flowers = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
          sampleFlower(iris, random, drift),
        );
        const predictions = flowers.map((flower) => model.predict(flower));
        const context = inputsDc.collect(flowers);
        predictionDc.collect(predictions, context);
        for (const species of predictions) {
          counts[species] = (counts[species] ?? 0) + 1;
        }
        requests += 1;
        inputRows += flowers.length;
      }
    });
  } finally {
    await Promise.all([inputsDc.close(), predictionDc.close()]);
  }
  const stats = [inputsDc.stats(), predictionDc.stats()];
  const sum = (key: 'collected' | 'written' | 'spooled' | 'dropped') =>
    stats.reduce((total, one) => total + one[key], 0);
  return {
    requests,
    inputRows,
    trainingAccuracy: model.accuracy(iris),
    predictionsByDay,
    destination: inputsDc.stats().destination,
    rows: {
      collected: sum('collected'),
      written: sum('written'),
      spooled: sum('spooled'),
      dropped: sum('dropped'),
    },
    firstError,
  };
}

/** A real iris flower with a little noise; `drift` (0..1) stretches petals on later days. */
function sampleFlower(
  iris: ReturnType<typeof loadIris>,
  random: () => number,
  drift: number,
): IrisRow {
  const base = iris[Math.floor(random() * iris.length)] ?? iris[0];
  const jitter = () => (random() - 0.5) * 0.2;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    sepal_length: round((base?.sepal_length ?? 5) + jitter()),
    sepal_width: round((base?.sepal_width ?? 3) + jitter()),
    petal_length: round((base?.petal_length ?? 4) * (1 + 0.25 * drift) + jitter()),
    petal_width: round((base?.petal_width ?? 1) * (1 + 0.3 * drift) + jitter()),
  };
}
