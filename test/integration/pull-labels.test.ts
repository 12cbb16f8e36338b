import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { queryDb } from '../helpers/query-db.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { archivePulls as pullsUnder } from './pull-archives.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-pull-labels-');
});
afterAll(async () => {
  await tmp.cleanup();
});

function archivePulls(name: string) {
  return pullsUnder(join(tmp.path, name), 4);
}

const file = (identifier: string, day: number) =>
  `sub1/rg1/ws1/irisapp/iris/3/${identifier}/2024/01/0${day}/${identifier}.csv`;

test('labels join scored on the key: their columns, label_ on a taken name, _labeled; never more rows', async () => {
  const { dbPath, pullMore } = archivePulls('join');
  await pullMore({
    [file('inputs', 1)]: 'x,note,$aml_dc_correlation_id\n1,a,k1\n2,b,k1\n3,c,k2\n4,d,k3\n',
    [file('predictions', 1)]: 'y,note,$aml_dc_correlation_id\n10,p,k1\n20,q,k1\n30,r,k2\n',
    // k1 row 0 labelled twice (in two blobs): the first loaded wins; k3 has no label.
    [file('labels', 1)]: 'truth,note,$aml_dc_correlation_id\nt1,l,k1\nt3,m,k2\n',
  });
  await pullMore({ [file('labels', 2)]: 'truth,note,$aml_dc_correlation_id\nlate,z,k1\n' });
  expect(
    await queryDb(
      dbPath,
      `SELECT x, note, y, prediction_note, truth, label_note, _matched, _labeled
       FROM scored ORDER BY x`,
    ),
  ).toEqual([
    {
      x: '1',
      note: 'a',
      y: '10',
      prediction_note: 'p',
      truth: 't1',
      label_note: 'l',
      _matched: true,
      _labeled: true,
    },
    {
      x: '2',
      note: 'b',
      y: '20',
      prediction_note: 'q',
      truth: null,
      label_note: null,
      _matched: true,
      _labeled: false,
    },
    {
      x: '3',
      note: 'c',
      y: '30',
      prediction_note: 'r',
      truth: 't3',
      label_note: 'm',
      _matched: true,
      _labeled: true,
    },
    {
      x: '4',
      note: 'd',
      y: null,
      prediction_note: null,
      truth: null,
      label_note: null,
      _matched: false,
      _labeled: false,
    },
  ]);
});

test('without a labels table scored still says _labeled (false)', async () => {
  const { dbPath, pullMore } = archivePulls('no-labels');
  await pullMore({ [file('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n' });
  expect(await queryDb(dbPath, 'SELECT x, _matched, _labeled FROM scored')).toEqual([
    { x: '1', _matched: false, _labeled: false },
  ]);
});

test('--role maps an identifier, is remembered, and moves rows loaded before it', async () => {
  const { dbPath, pullMore } = archivePulls('roles');
  const first = await pullMore({
    [file('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    [file('truth_v3', 1)]: 'truth,$aml_dc_correlation_id\nyes,k1\n',
  });
  expect(first.rowsByTable).toEqual({ inputs: 2, truth_v3: 1 });
  // Mapped: the blob already loaded into truth_v3 moves to labels.
  const mapped = await pullMore({}, { roles: { TRUTH_V3: 'labels' } });
  expect(mapped.rowsByTable).toEqual({ labels: 1 });
  expect(await queryDb(dbPath, 'SELECT count(*)::INTEGER AS n FROM truth_v3')).toEqual([{ n: 0 }]);
  // Remembered: a later pull without --role puts new truth_v3 blobs into labels too.
  const later = await pullMore({ [file('truth_v3', 2)]: 'truth,$aml_dc_correlation_id\nno,k2\n' });
  expect(later.rowsByTable).toEqual({ labels: 1 });
  expect(await queryDb(dbPath, 'SELECT x, truth, _labeled FROM scored ORDER BY x')).toEqual([
    { x: '1', truth: 'yes', _labeled: true },
    { x: '2', truth: 'no', _labeled: true },
  ]);
});

test('labels are pulled --label-delay days past --to (default 7, 0 turns it off)', async () => {
  const { dbPath, pullMore } = archivePulls('delay');
  const archive = {
    [file('inputs', 1)]: 'x,$aml_dc_correlation_id\n1,k1\n2,k2\n',
    // Filed later than the requests: day 8 is 7 days past --to (day 1), day 9 is 8 days past.
    'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/08/labels.csv':
      'truth,$aml_dc_correlation_id\na,k1\n',
    'sub1/rg1/ws1/irisapp/iris/3/labels/2024/01/09/labels.csv':
      'truth,$aml_dc_correlation_id\nb,k2\n',
    'sub1/rg1/ws1/irisapp/iris/3/predictions/2024/01/02/predictions.csv':
      'y,$aml_dc_correlation_id\n9,k1\n',
  };
  const off = await pullMore(archive, { lastDay: 1, labelDelayDays: 0 });
  expect(off.rowsByTable).toEqual({ inputs: 2 });
  const byDefault = await pullMore({}, { lastDay: 1 });
  // Only the labels role reaches past --to: the day-2 prediction stays out.
  expect(byDefault.rowsByTable).toEqual({ labels: 1 });
  const longer = await pullMore({}, { lastDay: 1, labelDelayDays: 8 });
  expect(longer.rowsByTable).toEqual({ labels: 1 });
  expect(await queryDb(dbPath, 'SELECT x, truth, _labeled FROM scored ORDER BY x')).toEqual([
    { x: '1', truth: 'a', _labeled: true },
    { x: '2', truth: 'b', _labeled: true },
  ]);
});
