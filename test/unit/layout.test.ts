import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  type BlobPath,
  buildBlobPath,
  dayPrefix,
  daysInRange,
  defaultFileName,
  detectBlobPath,
  formatDay,
  hourPrefix,
  isDataFileName,
  parseBlobPath,
  parseDay,
  parseWorkbenchModelFolder,
  type StreamPath,
  streamPrefix,
} from '../../src/layout/index.js';

const UUID = '3f2a9c1e-0b7d-4e5f-9a8b-1c2d3e4f5a6b';

const workbench: BlobPath = {
  layout: 'workbench',
  root: 'sub-1/rg-1/mma-account',
  service: 'irisapp',
  modelId: 'unknown',
  model: 'model.pkl',
  modelVersion: 'unknown',
  identifier: 'inputs',
  day: { year: 2017, month: 11, day: 3 },
  fileName: 'data.csv',
};
const aks: BlobPath = {
  layout: 'aks',
  root: 'b9a8036a-1111-2222-3333-444455556666/mlblog-common/mlblog-aml',
  service: 'higgs-svc',
  model: 'higgsxgboost',
  modelVersion: '7',
  identifier: 'inputs',
  day: { year: 2020, month: 8, day: 27 },
  fileName: 'inputs.csv',
};
const v2: BlobPath = {
  layout: 'v2',
  root: 'modelDataCollector',
  service: 'my-endpoint',
  model: 'blue',
  modelVersion: '',
  identifier: 'model_inputs',
  day: { year: 2024, month: 3, day: 5 },
  hour: 18,
  fileName: 'ef484bd292bc4cd4ad462efc33ddbbbe000004.jsonl',
};

describe('build and parse round trip', () => {
  test.each([
    [
      workbench,
      'sub-1/rg-1/mma-account/irisapp/unknown-model.pkl-unknown/inputs/2017/11/03/data.csv',
    ],
    [
      aks,
      'b9a8036a-1111-2222-3333-444455556666/mlblog-common/mlblog-aml/higgs-svc/higgsxgboost/7/inputs/2020/08/27/inputs.csv',
    ],
    [
      v2,
      'modelDataCollector/my-endpoint/blue/model_inputs/2024/03/05/18/ef484bd292bc4cd4ad462efc33ddbbbe000004.jsonl',
    ],
  ])('%# %s', (path, name) => {
    expect(buildBlobPath(path)).toBe(name);
    expect(parseBlobPath(name, path.layout)).toEqual(path);
    expect(detectBlobPath(name)).toEqual(path);
  });

  test('workbench model folders whose names contain dashes, with UUID ids', () => {
    const path: BlobPath = {
      ...workbench,
      modelId: UUID,
      model: 'my-churn-model',
      modelVersion: '12',
    };
    const name = buildBlobPath(path);
    expect(name).toBe(
      `sub-1/rg-1/mma-account/irisapp/${UUID}-my-churn-model-12/inputs/2017/11/03/data.csv`,
    );
    expect(parseBlobPath(name, 'workbench')).toEqual(path);
  });

  test('a workbench stream without a model id writes "unknown"', () => {
    const { modelId: _modelId, day: _day, fileName: _fileName, ...stream } = workbench;
    expect(streamPrefix(stream)).toBe(
      'sub-1/rg-1/mma-account/irisapp/unknown-model.pkl-unknown/inputs/',
    );
  });
});

describe('parseWorkbenchModelFolder', () => {
  test.each([
    [
      'unknown-bigdataset-unknown',
      { modelId: 'unknown', model: 'bigdataset', modelVersion: 'unknown' },
    ],
    ['unknown-my-model-v2-3', { modelId: 'unknown', model: 'my-model-v2', modelVersion: '3' }],
    [`${UUID}-iris-1`, { modelId: UUID, model: 'iris', modelVersion: '1' }],
    [`${UUID}-a-b-c-2`, { modelId: UUID, model: 'a-b-c', modelVersion: '2' }],
  ])('%s', (folder, parts) => {
    expect(parseWorkbenchModelFolder(folder)).toEqual(parts);
  });

  test.each(['nodash', 'id-onlymodel', '-model-1', 'id-model-', 'id--1'])(
    'rejects %s',
    (folder) => {
      expect(parseWorkbenchModelFolder(folder)).toBeUndefined();
    },
  );
});

describe('reading accepts unpadded folders', () => {
  test('workbench, aks and v2', () => {
    expect(
      parseBlobPath('s/r/a/svc/unknown-iris-1/inputs/2024/1/5/data.csv', 'workbench')?.day,
    ).toEqual({ year: 2024, month: 1, day: 5 });
    expect(parseBlobPath('s/r/w/svc/iris/1/labels/2024/3/9/labels.csv', 'aks')?.day).toEqual({
      year: 2024,
      month: 3,
      day: 9,
    });
    const hourly = parseBlobPath('modelDataCollector/e/d/c/2024/3/9/7/x.jsonl', 'v2');
    expect(hourly?.day).toEqual({ year: 2024, month: 3, day: 9 });
    expect(hourly?.hour).toBe(7);
  });

  test('writing always pads', () => {
    const stream: StreamPath = { ...aks };
    expect(dayPrefix(stream, { year: 2024, month: 3, day: 9 })).toBe(
      `${aks.root}/higgs-svc/higgsxgboost/7/inputs/2024/03/09/`,
    );
    expect(hourPrefix(v2, { year: 2024, month: 3, day: 9 }, 7)).toBe(
      'modelDataCollector/my-endpoint/blue/model_inputs/2024/03/09/07/',
    );
  });
});

describe('paths that do not fit are refused', () => {
  test.each([
    ['s/r/a/svc/unknown-iris-1/inputs/2024/02/30/data.csv', 'workbench'],
    ['s/r/a/svc/unknown-iris-1/inputs/2024/13/01/data.csv', 'workbench'],
    ['s/r/a/svc/unknown-iris-1/inputs/24/01/01/data.csv', 'workbench'],
    ['s/r/a/svc/unknown-iris-1/inputs/2024/01/01/data.txt', 'workbench'],
    ['s/r/a/svc/nodash/inputs/2024/01/01/data.csv', 'workbench'],
    ['s/r/a/svc/unknown-iris-1/inputs/2024/01/01/extra/data.csv', 'workbench'],
    ['s/r/a//unknown-iris-1/inputs/2024/01/01/data.csv', 'workbench'],
    ['s/r/w/svc/iris/1/inputs/2024/01/01/inputs.csv.gz', 'aks'],
    ['s/r/w/svc/iris/1/inputs/2024/01/xx/inputs.csv', 'aks'],
    ['modelDataCollector/e/d/c/2024/01/01/24/x.jsonl', 'v2'],
    ['modelDataCollector/e/d/c/2024/01/01/10/ref.json', 'v2'],
    ['other/e/d/c/2024/01/01/10/x.jsonl', 'v2'],
  ] as const)('%s as %s', (name, layout) => {
    expect(parseBlobPath(name, layout)).toBeUndefined();
  });
});

describe('data file names', () => {
  test('csv layouts: data.csv, <designation>.csv, <designation>*.csv, any .csv', () => {
    for (const name of ['data.csv', 'inputs.csv', 'inputs_1.csv', 'data-2.csv', 'signals.CSV']) {
      expect(isDataFileName('aks', 'inputs', name)).toBe(true);
      expect(isDataFileName('workbench', 'inputs', name)).toBe(true);
    }
    for (const name of ['.csv', 'notes.txt', 'data.csv.tmp', 'a/data.csv']) {
      expect(isDataFileName('aks', 'inputs', name)).toBe(false);
    }
  });

  test('v2: .jsonl only (.json files are dataref payloads)', () => {
    expect(isDataFileName('v2', 'model_inputs', 'abc000001.jsonl')).toBe(true);
    expect(isDataFileName('v2', 'model_inputs', 'payload.json')).toBe(false);
    expect(isDataFileName('v2', 'model_inputs', 'data.csv')).toBe(false);
  });

  test('default names per layout', () => {
    expect(defaultFileName('workbench', 'inputs')).toBe('data.csv');
    expect(defaultFileName('aks', 'predictions')).toBe('predictions.csv');
    expect(defaultFileName('v2', 'model_inputs')).toBe('data.jsonl');
  });
});

describe('dates', () => {
  test('parseDay reads YYYY-MM-DD as a UTC calendar day', () => {
    expect(parseDay('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDay(' 2024-1-5 ')).toEqual({ year: 2024, month: 1, day: 5 });
    expect(formatDay({ year: 2024, month: 1, day: 5 })).toBe('2024-01-05');
  });

  test.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '31/01/2024',
    'yesterday',
    '',
    '2024-01-01T00:00',
  ])('parseDay rejects "%s" with a usage error naming the flag', (text) => {
    let error: unknown;
    try {
      parseDay(text, '--from');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`--from "${text}" is not a date`);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).hint).toContain('YYYY-MM-DD');
  });

  test('daysInRange is inclusive, crosses months and leap days, and is empty when reversed', () => {
    expect(
      daysInRange({ year: 2024, month: 2, day: 28 }, { year: 2024, month: 3, day: 1 }).map(
        formatDay,
      ),
    ).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(
      daysInRange({ year: 2023, month: 12, day: 31 }, { year: 2024, month: 1, day: 1 }).map(
        formatDay,
      ),
    ).toEqual(['2023-12-31', '2024-01-01']);
    expect(daysInRange({ year: 2024, month: 3, day: 2 }, { year: 2024, month: 3, day: 1 })).toEqual(
      [],
    );
  });
});
