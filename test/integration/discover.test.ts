import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MdqError } from '../../src/errors.js';
import { type Day, daysInRange, pad2, type StreamPath } from '../../src/layout/index.js';
import {
  detectLayouts,
  discoverStreams,
  listBlobsInRange,
  streamDays,
} from '../../src/query/discover.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { type Azurite, startAzurite } from '../helpers/azurite.js';
import { CountingStore } from '../helpers/counting-store.js';
import { makeTmpDir } from '../helpers/tmp.js';

const WB = 'sub1/rg1/acct1/irisapp';
const WB_UUID_MODEL = '3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b-my-model-v2-7';
const AKS = 'sub2/rg2/ws2/churn/churn-model/3';
const V2 = 'modelDataCollector/endpoint1/blue';

/** A container holding all three layouts side by side, with the traps discovery must survive. */
const TREE = [
  `${WB}/unknown-iris-1/inputs/2024/01/01/data.csv`,
  `${WB}/unknown-iris-1/inputs/2024/01/02/data.csv`,
  `${WB}/unknown-iris-1/inputs/2024/01/03/data.csv`,
  `${WB}/unknown-iris-1/prediction/2024/01/02/data.csv`,
  // unpadded month/day folders, and the same day padded: both count
  `${WB}/${WB_UUID_MODEL}/inputs/2024/1/5/data.csv`,
  `${WB}/${WB_UUID_MODEL}/inputs/2024/01/05/data-2.csv`,
  `${AKS}/inputs/2024/02/01/inputs.csv`,
  `${AKS}/inputs/2024/02/01/inputs_1.csv`,
  `${AKS}/inputs/2024/02/01/notes.txt`,
  `${AKS}/predictions/2024/02/01/predictions.csv`,
  `${AKS}/labels/2024/02/02/labels.csv`,
  `${V2}/model_inputs/2024/03/01/10/ef484bd292bc4cd4ad462efc33ddbbbe000001.jsonl`,
  `${V2}/model_inputs/2024/03/01/10/payload-ref.json`,
  `${V2}/model_inputs/2024/03/01/11/ef484bd292bc4cd4ad462efc33ddbbbe000002.jsonl`,
  `${V2}/model_outputs/2024/03/01/10/ef484bd292bc4cd4ad462efc33ddbbbe000001.jsonl`,
  `${V2}/request/2024/03/01/10/ef484bd292bc4cd4ad462efc33ddbbbe000001.jsonl`,
  `${V2}/response/2024/03/01/10/ef484bd292bc4cd4ad462efc33ddbbbe000001.jsonl`,
  // workspace blob store clutter and loose files
  'azureml/ExperimentRun/dcid.run1/logs/azureml/000_azureml.log',
  'readme.txt',
];

const wbStream = (model: string, modelId: string, version: string, identifier: string) =>
  ({
    layout: 'workbench',
    root: 'sub1/rg1/acct1',
    service: 'irisapp',
    model,
    modelVersion: version,
    modelId,
    identifier,
  }) satisfies StreamPath;
const aksStream = (identifier: string): StreamPath => ({
  layout: 'aks',
  root: 'sub2/rg2/ws2',
  service: 'churn',
  model: 'churn-model',
  modelVersion: '3',
  identifier,
});
const v2Stream = (identifier: string): StreamPath => ({
  layout: 'v2',
  root: 'modelDataCollector',
  service: 'endpoint1',
  model: 'blue',
  modelVersion: '',
  identifier,
});

/** What discovery must find in TREE, in its documented order (layout, root, service, model, ...). */
const ALL_STREAMS: StreamPath[] = [
  aksStream('inputs'),
  aksStream('labels'),
  aksStream('predictions'),
  v2Stream('model_inputs'),
  v2Stream('model_outputs'),
  wbStream('iris', 'unknown', '1', 'inputs'),
  wbStream('iris', 'unknown', '1', 'prediction'),
  wbStream('my-model-v2', '3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b', '7', 'inputs'),
];

const cleanups: (() => Promise<void>)[] = [];
let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  for (const cleanup of cleanups) {
    await cleanup();
  }
  await azurite?.stop();
});

async function localStore(names: string[]): Promise<LocalBlobStore> {
  const tmp = await makeTmpDir('mdq-discover-');
  cleanups.push(tmp.cleanup);
  const store = new LocalBlobStore(tmp.path);
  await fill(store, names);
  return store;
}

async function azureStore(names: string[]): Promise<AzureBlobStore> {
  const container = await azurite.createContainer('discover');
  const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
  await fill(store, names);
  return store;
}

async function fill(store: BlobStore, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map((name) => store.put(name, Buffer.from(name))));
  }
}

async function rejection(promise: Promise<unknown>): Promise<MdqError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MdqError);
  return error as MdqError;
}

async function namesInRange(store: BlobStore, stream: StreamPath, from: Day, to: Day) {
  const names: string[] = [];
  for await (const { blob, path } of listBlobsInRange(store, stream, from, to)) {
    expect(path.identifier).toBe(stream.identifier);
    names.push(blob.name);
  }
  return names;
}

const day = (year: number, month: number, d: number): Day => ({ year, month, day: d });

describe.each([
  ['local folder', localStore],
  ['Azurite', azureStore],
] as const)('discovery over a %s', (_name, make) => {
  let store: BlobStore;
  beforeAll(async () => {
    store = await make(TREE);
  });

  test('finds every stream of every layout, leaving out payload logging', async () => {
    expect(await discoverStreams(store)).toEqual(ALL_STREAMS);
    expect(await detectLayouts(store)).toEqual(['workbench', 'aks', 'v2']);
  });

  test('lists the data files of a day range, padded and unpadded folders alike', async () => {
    const iris = wbStream('iris', 'unknown', '1', 'inputs');
    expect(await namesInRange(store, iris, day(2024, 1, 2), day(2024, 1, 5))).toEqual([
      `${WB}/unknown-iris-1/inputs/2024/01/02/data.csv`,
      `${WB}/unknown-iris-1/inputs/2024/01/03/data.csv`,
    ]);
    const uuidModel = ALL_STREAMS[7] as StreamPath;
    expect(await namesInRange(store, uuidModel, day(2024, 1, 5), day(2024, 1, 5))).toEqual([
      `${WB}/${WB_UUID_MODEL}/inputs/2024/01/05/data-2.csv`,
      `${WB}/${WB_UUID_MODEL}/inputs/2024/1/5/data.csv`,
    ]);
    expect(
      await namesInRange(store, aksStream('inputs'), day(2024, 1, 1), day(2024, 12, 31)),
    ).toEqual([`${AKS}/inputs/2024/02/01/inputs.csv`, `${AKS}/inputs/2024/02/01/inputs_1.csv`]);
    // v2: hour folders included, `.json` dataref payloads never yielded.
    expect(
      await namesInRange(store, v2Stream('model_inputs'), day(2024, 3, 1), day(2024, 3, 1)),
    ).toEqual([
      `${V2}/model_inputs/2024/03/01/10/ef484bd292bc4cd4ad462efc33ddbbbe000001.jsonl`,
      `${V2}/model_inputs/2024/03/01/11/ef484bd292bc4cd4ad462efc33ddbbbe000002.jsonl`,
    ]);
  });
});

describe('discovery filters and errors', () => {
  let store: BlobStore;
  beforeAll(async () => {
    store = await localStore(TREE);
  });

  test('by service, model, version and identifier', async () => {
    expect(await discoverStreams(store, { filter: { service: 'churn' } })).toEqual([
      aksStream('inputs'),
      aksStream('labels'),
      aksStream('predictions'),
    ]);
    expect(await discoverStreams(store, { filter: { service: 'irisapp', model: 'iris' } })).toEqual(
      [wbStream('iris', 'unknown', '1', 'inputs'), wbStream('iris', 'unknown', '1', 'prediction')],
    );
    expect(
      await discoverStreams(store, { filter: { service: 'irisapp', modelVersion: '7' } }),
    ).toEqual([ALL_STREAMS[7]]);
    expect(
      await discoverStreams(store, { filter: { identifiers: ['prediction', 'predictions'] } }),
    ).toEqual([aksStream('predictions'), wbStream('iris', 'unknown', '1', 'prediction')]);
    expect(await discoverStreams(store, { filter: { service: 'churn', model: 'other' } })).toEqual(
      [],
    );
  });

  test('by layout; request/response only when named', async () => {
    expect(await discoverStreams(store, { layout: 'v2' })).toEqual([
      v2Stream('model_inputs'),
      v2Stream('model_outputs'),
    ]);
    expect(
      await discoverStreams(store, {
        layout: 'v2',
        filter: { identifiers: ['request', 'model_inputs'] },
      }),
    ).toEqual([v2Stream('model_inputs'), v2Stream('request')]);
    expect(
      await discoverStreams(store, { layout: 'aks', filter: { service: 'churn' } }),
    ).toHaveLength(3);
    expect((await discoverStreams(store, { layout: 'workbench' })).map((s) => s.layout)).toEqual([
      'workbench',
      'workbench',
      'workbench',
    ]);
  });

  test('a wrong service names itself and lists the services that exist', async () => {
    const error = await rejection(discoverStreams(store, { filter: { service: 'irisap' } }));
    expect(error.code).toBe('service-not-found');
    expect(error.message).toContain('"irisap"');
    expect(error.hint).toBe('services here: churn, endpoint1, irisapp');
    const inLayout = await rejection(
      discoverStreams(store, { layout: 'aks', filter: { service: 'irisapp' } }),
    );
    expect(inLayout.hint).toBe('services here: churn');
  });

  test('no streams at all is "no-data" with a hint', async () => {
    const empty = await localStore([]);
    const error = await rejection(discoverStreams(empty));
    expect(error.code).toBe('no-data');
    expect(error.hint).toContain('modelDataCollector');
    const clutter = await localStore(['azureml/ExperimentRun/dcid.x/logs/a.log', 'a/b/c/d/e.txt']);
    expect((await rejection(discoverStreams(clutter))).code).toBe('no-data');
    expect(await detectLayouts(clutter)).toEqual([]);
  });

  test('an aborted signal stops discovery', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(discoverStreams(store, { signal: controller.signal }));
    expect(error.code).toBe('interrupted');
  });
});

describe('list calls grow with the days asked for, not with the archive', () => {
  const stream = aksStream('inputs');
  const archive = (from: Day, to: Day) =>
    daysInRange(from, to).map(
      (d) => `${AKS}/inputs/${d.year}/${pad2(d.month)}/${pad2(d.day)}/inputs.csv`,
    );
  let year: CountingStore;
  let month: CountingStore;
  beforeAll(async () => {
    year = new CountingStore(await localStore(archive(day(2023, 1, 1), day(2023, 12, 31))));
    month = new CountingStore(await localStore(archive(day(2023, 12, 1), day(2023, 12, 30))));
  });

  test('one day out of 365 costs what one day out of 30 costs', async () => {
    const counts: number[] = [];
    for (const store of [year, month]) {
      store.reset();
      expect(await namesInRange(store, stream, day(2023, 12, 15), day(2023, 12, 15))).toEqual([
        `${AKS}/inputs/2023/12/15/inputs.csv`,
      ]);
      // Only the one day folder is ever listed flat.
      expect(store.flatListCalls()).toEqual([
        { prefix: `${AKS}/inputs/2023/12/15/`, delimiter: undefined },
      ]);
      counts.push(store.listCalls.length);
    }
    expect(counts[0]).toBe(counts[1]);
    // years, months, days of December, then the day itself
    expect(counts[0]).toBe(4);
  });

  test('a week costs one more call per extra day', async () => {
    year.reset();
    const names = await namesInRange(year, stream, day(2023, 3, 1), day(2023, 3, 7));
    expect(names).toHaveLength(7);
    expect(year.listCalls).toHaveLength(3 + 7);
  });

  test('a range across a year boundary walks only the months in range', async () => {
    year.reset();
    const names = await namesInRange(year, stream, day(2022, 12, 30), day(2023, 1, 2));
    expect(names).toEqual([
      `${AKS}/inputs/2023/01/01/inputs.csv`,
      `${AKS}/inputs/2023/01/02/inputs.csv`,
    ]);
    expect(year.listCalls.map((call) => call.prefix)).toEqual([
      `${AKS}/inputs/`,
      `${AKS}/inputs/2023/`,
      `${AKS}/inputs/2023/01/`,
      `${AKS}/inputs/2023/01/01/`,
      `${AKS}/inputs/2023/01/02/`,
    ]);
  });

  test('discovery never lists flat', async () => {
    year.reset();
    expect(await discoverStreams(year)).toEqual([stream]);
    expect(year.flatListCalls()).toEqual([]);
  });

  test('first and last day come from the ends of the hierarchy', async () => {
    for (const [store, first, last] of [
      [year, day(2023, 1, 1), day(2023, 12, 31)],
      [month, day(2023, 12, 1), day(2023, 12, 30)],
    ] as const) {
      store.reset();
      expect(await streamDays(store, stream)).toEqual({ first, last });
      // years, first month, its days, the day; then the same from the other end (years again)
      expect(store.listCalls).toHaveLength(8);
    }
    expect(await streamDays(year, aksStream('nothing'))).toBeUndefined();
  });

  test('padded and unpadded folders of one month or day are one: the edges span both', async () => {
    const mixed = await localStore([
      `${AKS}/inputs/2023/1/3/inputs.csv`,
      `${AKS}/inputs/2023/1/20/inputs.csv`,
      `${AKS}/inputs/2023/01/02/inputs.csv`,
      `${AKS}/inputs/2023/01/25/inputs.csv`,
      `${AKS}/inputs/2023/12/9/inputs.csv`,
      `${AKS}/inputs/2023/12/09/inputs.csv`,
    ]);
    expect(await streamDays(mixed, stream)).toEqual({
      first: day(2023, 1, 2),
      last: day(2023, 12, 9),
    });
    const january = await localStore([
      `${AKS}/inputs/2023/01/25/inputs.csv`,
      `${AKS}/inputs/2023/1/20/inputs.csv`,
      `${AKS}/inputs/2023/1/3/inputs.csv`,
    ]);
    // "1" sorts after "01": the latest day is still the one in "01".
    expect(await streamDays(january, stream)).toEqual({
      first: day(2023, 1, 3),
      last: day(2023, 1, 25),
    });
  });
});
