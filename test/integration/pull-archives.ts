import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PullOptions } from '../../src/query/pull/index.js';
import { pullFolder } from '../helpers/pull-folder.js';

/**
 * Small archives laid out as each collector writes them (formats.md §1–3), with the traps the
 * reader must survive. Expected counts are written by hand next to each archive, never taken
 * from mdq's output.
 */
export type Archive = Record<string, string | Buffer>;

export async function writeArchive(root: string, archive: Archive): Promise<void> {
  for (const [name, content] of Object.entries(archive)) {
    const path = join(root, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/**
 * A source folder and database under `dir`; each `pullMore` adds `archive` to the source, then
 * pulls irisapp from January 1st to January `lastDay` (options add to or replace that pull).
 */
export function archivePulls(dir: string, lastDay: number) {
  const root = join(dir, 'source');
  const dbPath = join(dir, 'mdq.duckdb');
  const pullMore = async (
    archive: Archive,
    options: Partial<PullOptions> & { lastDay?: number } = {},
  ) => {
    await writeArchive(root, archive);
    return pullFolder(root, dbPath, { lastDay, ...options });
  };
  return { root, dbPath, pullMore };
}

const AKS_ROOT = 'sub1/rg1/ws1/irisapp/iris/3';
const AKS_GEN =
  '$aml_dc_correlation_id,$aml_dc_scoring_timestamp,$aml_dc_boundary,$aml_workspace,$aml_service_name,$aml_model_name,$aml_model_version,$aml_request_id';
const gen = (corr: string, ts: string) =>
  `${corr},${ts},1440,sub1/rg1/ws1,irisapp,iris,3,00000000-0000-0000-0000-000000000000`;

/**
 * AKS: inputs with a CRLF header and LF rows (pandas), a two-row request, a quoted comma, UTF-8;
 * day 2 in an unpadded folder with a new column inserted before the $aml block; day 3 missing;
 * day 4 a 0-byte blob and a header-only blob; predictions via add_correlations (CRLF rows).
 * inputs 6 rows, predictions 6 rows, all matched.
 */
export const AKS_ARCHIVE: Archive = {
  [`${AKS_ROOT}/inputs/2024/01/01/inputs.csv`]:
    `sepal,petal,note,${AKS_GEN}\r\n` +
    `5.1,1.4,"a, b",${gen('c1', '2024-01-01T10:00:00.123456')}\n` +
    `4.9,1.3,café,${gen('c1', '2024-01-01T10:00:00.123456')}\n` +
    `6.2,4.5,"say ""hi""",${gen('c2', '2024-01-01T11:00:00')}\n`,
  [`${AKS_ROOT}/predictions/2024/01/01/predictions.csv`]:
    `label,${AKS_GEN}\r\n` +
    `setosa,${gen('c1', '2024-01-01T10:00:00.123456')}\r\n` +
    `setosa,${gen('c1', '2024-01-01T10:00:00.123456')}\r\n` +
    `versicolor,${gen('c2', '2024-01-01T11:00:00')}\r\n`,
  [`${AKS_ROOT}/inputs/2024/1/2/inputs.csv`]:
    `sepal,petal,note,width,${AKS_GEN}\r\n` +
    `5.0,1.5,x,0.2,${gen('c3', '2024-01-02T09:00:00')}\n` +
    `5.5,1.6,y,0.25,${gen('c4', '2024-01-02T09:30:00')}\n` +
    `5.7,1.7,z,0.3,${gen('c5', '2024-01-02T09:45:00')}\n`,
  [`${AKS_ROOT}/predictions/2024/1/2/predictions.csv`]:
    `label,${AKS_GEN}\r\n` +
    `setosa,${gen('c3', '2024-01-02T09:00:00')}\r\n` +
    `setosa,${gen('c4', '2024-01-02T09:30:00')}\r\n` +
    `virginica,${gen('c5', '2024-01-02T09:45:00')}\r\n`,
  [`${AKS_ROOT}/inputs/2024/01/04/inputs.csv`]: '',
  [`${AKS_ROOT}/predictions/2024/01/04/predictions.csv`]: `label,${AKS_GEN}\r\n`,
  // outside the range asked for in tests (--to 2024-01-04)
  [`${AKS_ROOT}/inputs/2024/01/05/inputs.csv`]: `sepal,petal,note,${AKS_GEN}\r\n5.1,1.4,late,${gen('c9', '2024-01-05T10:00:00')}\n`,
};

/** `mdq pull` arguments for AKS_ARCHIVE written under `root`: its service and days 1 to 4. */
export const aksPullArgs = (root: string, db: string, ...extra: string[]) => [
  'pull',
  '--source',
  root,
  '--db',
  db,
  '--service',
  'irisapp',
  '--from',
  '2024-01-01',
  '--to',
  '2024-01-04',
  ...extra,
];

const WB_ROOT = 'sub1/rg1/acct1/irisapp/unknown-iris-2';
const WB_HEADER = '$Timestamp,$CorrelationId,$RequestId,sepal length,petal length';

/**
 * Workbench: inputs with a header (CRLF) and LF rows; predictions written from numpy with no
 * header at all (three generated columns, then positional values). 4 inputs, 4 predictions.
 */
export const WORKBENCH_ARCHIVE: Archive = {
  [`${WB_ROOT}/inputs/2024/01/01/data.csv`]:
    `${WB_HEADER}\r\n` +
    '2024-01-01T10:00:00.100000,,r1,5.1,1.4\n' +
    '2024-01-01T10:00:00.100000,,r1,4.9,1.3\n' +
    '2024-01-01T10:05:00.000001,,r2,6.2,4.5\n',
  [`${WB_ROOT}/prediction/2024/01/01/data.csv`]:
    '2024-01-01T10:00:00.200000,,r1,0\r\n' +
    '2024-01-01T10:00:00.200000,,r1,0\r\n' +
    '2024-01-01T10:05:00.100000,,r2,1\r\n',
  [`${WB_ROOT}/inputs/2024/01/02/data.csv`]: `${WB_HEADER},sepal width\r\n2024-01-02T08:00:00.000000,cid-7,r3,5.0,1.5,3.3\n`,
  [`${WB_ROOT}/prediction/2024/01/02/data.csv`]: '2024-01-02T08:00:00.100000,cid-7,r3,0\n',
};

const V2_ROOT = 'modelDataCollector/irisapp/blue';
const event = (fields: Record<string, unknown>) => JSON.stringify(fields).replaceAll('/', '\\/');

/**
 * v2: events with varying key order, `\/` escapes, nulls, a batched event of two rows, a
 * `dataref` event whose payload is a `.json` beside it, per-line schema drift, and a
 * `request` collection that must stay out. 5 inputs, 5 outputs, all matched.
 */
export const V2_ARCHIVE: Archive = {
  [`${V2_ROOT}/model_inputs/2024/01/01/10/aaaa000001.jsonl`]: `${[
    event({
      specversion: '1.0',
      time: '2024-01-01T10:00:01Z',
      data: [
        { sepal: 5.1, petal: 1.4, path: 'a/b' },
        { sepal: 4.9, petal: null, path: 'c/d' },
      ],
      correlationid: 'e1',
      modelversion: 'default',
    }),
    event({
      correlationid: 'e2',
      data: [{ petal: 4.5, sepal: 6.2, extra: true }],
      time: '2024-01-01T10:00:02Z',
      modelversion: 'default',
    }),
  ].join('\n')}\n`,
  [`${V2_ROOT}/model_inputs/2024/01/01/11/aaaa000002.jsonl`]: `${event({
    correlationid: 'e3',
    time: '2024-01-01T11:00:00Z',
    modelversion: 'default',
    dataref: `${V2_ROOT}/model_inputs/2024/01/01/11/aaaa000002_payload.json`,
  })}\n`,
  [`${V2_ROOT}/model_inputs/2024/01/01/11/aaaa000002_payload.json`]: JSON.stringify([
    { sepal: 5.0, petal: 1.5, path: 'e' },
    { sepal: 5.2, petal: 1.6, path: 'f' },
  ]),
  [`${V2_ROOT}/model_outputs/2024/01/01/10/bbbb000001.jsonl`]: `${[
    event({
      data: [{ label: 'setosa' }, { label: 'setosa' }],
      correlationid: 'e1',
      time: '2024-01-01T10:00:01Z',
      modelversion: 'default',
    }),
    event({
      modelversion: 'default',
      time: '2024-01-01T10:00:02Z',
      correlationid: 'e2',
      data: [{ label: 'versicolor' }],
    }),
  ].join('\r\n')}\r\n`,
  [`${V2_ROOT}/model_outputs/2024/01/01/11/bbbb000002.jsonl`]: `${event({
    correlationid: 'e3',
    time: '2024-01-01T11:00:00Z',
    modelversion: 'default',
    data: [{ label: 'setosa' }, { label: 'virginica' }],
  })}\n`,
  [`${V2_ROOT}/request/2024/01/01/10/cccc000001.jsonl`]: `${event({
    correlationid: 'e1',
    data: { body: 'raw' },
  })}\n`,
};
