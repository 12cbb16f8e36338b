import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { queryDb } from '../helpers/query-db.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { aksPullArgs, writeArchive } from './pull-archives.js';

/**
 * Blobs a pull cannot load faithfully are quarantined with a reason, and stay a failure on every
 * re-run until they change or are dismissed (issue 14.8).
 */
const DAY = 'sub1/rg1/ws1/irisapp/iris/3/inputs/2024/01/01';
const HEADER = '$aml_dc_correlation_id,x,y';

let tmp: { path: string; cleanup: () => Promise<void> };
let source: string;
let db: string;
beforeAll(async () => {
  tmp = await makeTmpDir('mdq-quarantine-');
  source = join(tmp.path, 'modeldata');
  db = join(tmp.path, 'mdq.duckdb');
  await writeArchive(source, {
    [`${DAY}/ok.csv`]: `${HEADER}\nc1,1,a\n`,
    // The last row cut short: loading it would invent a NULL for y.
    [`${DAY}/truncated.csv`]: `${HEADER}\nc2,2,b\nc3,3`,
    // A NUL inside a value is data: kept as written.
    [`${DAY}/nul.csv`]: `${HEADER}\nc4,4,x\u0000y\n`,
    // 50 MB and no line break: it was read as a header, "loaded, 0 rows".
    [`${DAY}/no-newline.csv`]: 'x'.repeat(50 * 1024 * 1024),
  });
});
afterAll(async () => {
  await tmp.cleanup();
});

function pull(...extra: string[]) {
  return runMdq(aksPullArgs(source, db, ...extra));
}

test('quarantined blobs fail every pull of them, with their reasons, until dismissed or changed', async () => {
  const first = await pull();
  expect(first.code).toBe(1);
  expect(first.stderr).toContain('quarantined 2 blobs that could not be parsed:');
  expect(first.stderr).toContain(
    `${DAY}/truncated.csv ends with a line cut short: 2 of 3 fields and no line break`,
  );
  expect(first.stderr).toContain(
    `${DAY}/no-newline.csv has one line of 52428800 bytes and no line break: a header cut short, or not CSV`,
  );
  expect(first.stderr).toContain(
    'see them with mdq ls, or mdq sql "select blob, error from mdq_manifest where status = \'quarantined\'"',
  );
  expect(
    await queryDb(
      db,
      'select _correlation_id as id, y, length(y)::integer as n from inputs order by 1',
    ),
  ).toEqual([
    { id: 'c1', y: 'a', n: 1 },
    { id: 'c4', y: 'x\u0000y', n: 3 },
  ]);

  // Nothing changed: nothing to load, and the pull still says what is missing.
  const again = await pull();
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('0 blobs loaded');
  expect(again.stderr).toContain(
    '2 blobs quarantined by an earlier pull are unchanged and still not loaded:',
  );
  expect(again.stderr).toContain(`  ${DAY}/truncated.csv ends with a line cut short`);
  expect(again.stderr).toContain('run the same pull with --dismiss-quarantined');
  const ls = await runMdq(['ls', '--db', db]);
  expect(ls.stdout + ls.stderr).toMatch(/quarantined: 2 blobs/);

  // Fixed at the source: the blob changed, so it loads.
  await writeFile(join(source, DAY, 'truncated.csv'), `${HEADER}\nc2,2,b\nc3,3,c\n`);
  const fixed = await pull();
  expect(fixed.code).toBe(1);
  expect(fixed.stderr).toContain('1 blob loaded');
  expect(fixed.stderr).toContain('1 blob quarantined by an earlier pull is unchanged');

  const dismissed = await pull('--dismiss-quarantined');
  expect(dismissed.code).toBe(0);
  expect(dismissed.stderr).toContain(
    "dismissed 1 quarantined blob: they stay in mdq_manifest with status 'dismissed'",
  );
  expect(
    await queryDb(
      db,
      "select regexp_replace(blob, '.*/', '') as name, status from mdq_manifest order by 1",
    ),
  ).toEqual([
    { name: 'no-newline.csv', status: 'dismissed' },
    { name: 'nul.csv', status: 'loaded' },
    { name: 'ok.csv', status: 'loaded' },
    { name: 'truncated.csv', status: 'loaded' },
  ]);
  const quiet = await pull();
  expect(quiet.code).toBe(0);
  expect(quiet.stderr).not.toContain('quarantined');
});
