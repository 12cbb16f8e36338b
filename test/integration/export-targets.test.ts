import { link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { queryRows } from '../../src/query/run.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeFixtureDb } from './sql-fixture.js';

/**
 * What `mdq export` does with a target that exists (issue 14.1): never replaces what it did
 * not write, never the database or a folder holding it or the current folder, and replaces an
 * earlier export only with --overwrite, atomically.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A project folder: the database, a collector's folder, a user's notes. */
async function project() {
  const fixture = await makeFixtureDb();
  cleanups.push(fixture.cleanup);
  const dir = fixture.dir;
  await mkdir(join(dir, 'modeldata', 'irisapp'), { recursive: true });
  await writeFile(join(dir, 'modeldata', 'irisapp', 'data.csv'), 'a,b\n1,2\n');
  await writeFile(join(dir, 'notes.txt'), 'mine\n');
  return {
    dir,
    db: fixture.dbPath,
    mdq: (args: string[], cwd = dir) =>
      runMdq(['export', '--db', fixture.dbPath, ...args], { cwd }),
  };
}

/** Every file under `dir` with its content, except the database's own files. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (entry.isFile() && !path.startsWith('mdq.duckdb')) {
      files[path] = (await readFile(join(dir, path))).toString('base64');
    }
  }
  return files;
}

async function inputRows(db: string): Promise<number> {
  const database = await openDatabase(db, { mustExist: true });
  try {
    const { rows } = await queryRows(database.connection, 'select count(*)::integer from inputs');
    return rows[0]?.[0] as number;
  } finally {
    database.close();
  }
}

test('--out . --partition-by in the project folder is refused, with or without --overwrite', async () => {
  const { dir, db, mdq } = await project();
  const before = await snapshot(dir);
  for (const extra of [[], ['--overwrite']]) {
    const result = await mdq(['--out', '.', '--partition-by', '_date', ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^mdq: --out \. holds the database .*\nhint: .*--out/);
  }
  await mkdir(join(dir, 'sub'));
  const above = await mdq(
    ['--out', '..', '--partition-by', '_date', '--overwrite'],
    join(dir, 'sub'),
  );
  expect(above.code).toBe(2);
  expect(above.stderr).toContain('mdq: --out .. holds the database');
  expect(await snapshot(dir)).toEqual(before);
  expect(await inputRows(db)).toBe(5);
});

test('a folder holding the current folder (not the database) is refused', async () => {
  const { dir, mdq } = await project();
  const work = join(dir, 'work', 'deep');
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'keep.txt'), 'keep');
  const result = await mdq(['--out', '..', '--partition-by', '_date', '--overwrite'], work);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('mdq: --out .. is or holds the current folder');
  expect(await readFile(join(work, 'keep.txt'), 'utf8')).toBe('keep');
});

test('the database is never a target, by any path', async () => {
  const { dir, db, mdq } = await project();
  await symlink(db, join(dir, 'alias.duckdb'));
  await link(db, join(dir, 'hard.duckdb'));
  await mkdir(join(dir, 'sub'));
  for (const out of ['mdq.duckdb', 'alias.duckdb', 'hard.duckdb', 'sub/../mdq.duckdb']) {
    const result = await mdq(['--out', out, '--format', 'csv', '--overwrite']);
    expect(result.code, out).toBe(2);
    expect(result.stderr).toContain(`mdq: --out ${out} is the database file itself`);
  }
  expect(await inputRows(db)).toBe(5);
});

test("a user's file is an error without --overwrite and left alone with it", async () => {
  const { dir, mdq } = await project();
  await writeFile(join(dir, 'x.csv'), 'my,own\n1,2\n');
  const plain = await mdq(['--out', 'x.csv']);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toBe(
    'mdq: --out x.csv already exists\nhint: pass --overwrite to replace an earlier mdq export there, or choose another --out\n',
  );
  const forced = await mdq(['--out', 'x.csv', '--overwrite']);
  expect(forced.code).toBe(1);
  expect(forced.stderr).toContain(
    'mdq: --out x.csv was not written by mdq export (no .x.csv.mdq-export.json), so --overwrite leaves it alone',
  );
  expect(await readFile(join(dir, 'x.csv'), 'utf8')).toBe('my,own\n1,2\n');
});

test("a user's folder is an error without --overwrite and left alone with it", async () => {
  const { dir, mdq } = await project();
  const other = join(dir, 'other-project');
  await mkdir(join(other, 'src'), { recursive: true });
  await writeFile(join(other, 'src', 'main.py'), 'print(1)\n');
  const before = await snapshot(dir);
  const plain = await mdq(['--out', 'other-project', '--partition-by', '_date']);
  expect(plain.code).toBe(1);
  expect(plain.stderr).toContain('mdq: --out other-project already exists\nhint: pass --overwrite');
  const forced = await mdq(['--out', 'other-project', '--partition-by', '_date', '--overwrite']);
  expect(forced.code).toBe(1);
  expect(forced.stderr).toContain('was not written by mdq export (no _mdq_export.json)');
  expect(await snapshot(dir)).toEqual(before);
});

test('an empty folder is a fine target', async () => {
  const { dir, mdq } = await project();
  await mkdir(join(dir, 'empty'));
  const result = await mdq(['--out', 'empty', '--partition-by', '_date']);
  expect(result.code).toBe(0);
  expect((await readdir(join(dir, 'empty'))).sort()).toEqual([
    '_date=2024-01-01',
    '_date=2024-01-02',
    '_date=2024-01-03',
    '_mdq_export.json',
  ]);
});

test('--overwrite replaces an earlier export file, and only with the flag', async () => {
  const { dir, mdq } = await project();
  expect((await mdq(['--out', 'q.csv', '--query', 'select 1 as v'])).code).toBe(0);
  const again = await mdq(['--out', 'q.csv', '--query', 'select 2 as v']);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('mdq: --out q.csv already exists');
  expect(await readFile(join(dir, 'q.csv'), 'utf8')).toBe('v\n1\n');
  const forced = await mdq(['--out', 'q.csv', '--query', 'select 2 as v', '--overwrite']);
  expect(forced.code).toBe(0);
  expect(await readFile(join(dir, 'q.csv'), 'utf8')).toBe('v\n2\n');
  // …and again: the marker follows the file it describes.
  const third = await mdq(['--out', 'q.csv', '--query', 'select 3 as v', '--overwrite']);
  expect(third.code).toBe(0);
  expect(await readFile(join(dir, 'q.csv'), 'utf8')).toBe('v\n3\n');
});

test('--overwrite replaces an earlier export folder whole: partitions it no longer has go', async () => {
  const { dir, mdq } = await project();
  expect((await mdq(['--out', 'hive', '--partition-by', '_date'])).code).toBe(0);
  const narrower = "select * from scored where _date = '2024-01-02'";
  const again = await mdq(['--out', 'hive', '--partition-by', '_date', '--query', narrower]);
  expect(again.code).toBe(1);
  expect((await readdir(join(dir, 'hive'))).length).toBe(4);
  const forced = await mdq([
    '--out',
    'hive',
    '--partition-by',
    '_date',
    '--query',
    narrower,
    '--overwrite',
  ]);
  expect(forced.code).toBe(0);
  expect((await readdir(join(dir, 'hive'))).sort()).toEqual([
    '_date=2024-01-02',
    '_mdq_export.json',
  ]);
  expect((await readdir(dir)).filter((name) => name.startsWith('.mdq-tmp-'))).toEqual([]);
});

test('a file mdq did not write inside an earlier export stops --overwrite, and all stays', async () => {
  const { dir, mdq } = await project();
  expect((await mdq(['--out', 'hive', '--partition-by', '_date'])).code).toBe(0);
  await writeFile(join(dir, 'hive', '_date=2024-01-01', 'notes.txt'), 'mine');
  const before = await snapshot(dir);
  const result = await mdq(['--out', 'hive', '--partition-by', '_date', '--overwrite']);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(
    'mdq: --out hive holds _date=2024-01-01/notes.txt, which mdq export did not write; --overwrite replaces only an earlier export and nothing else\n' +
      'hint: move _date=2024-01-01/notes.txt elsewhere, or choose another --out\n',
  );
  expect(await snapshot(dir)).toEqual(before);
});

test('a marker is untrusted: a changed file or a path outside the folder replaces nothing', async () => {
  const { dir, mdq } = await project();
  expect((await mdq(['--out', 'hive', '--partition-by', '_date'])).code).toBe(0);
  const markerPath = join(dir, 'hive', '_mdq_export.json');
  const marker = JSON.parse(await readFile(markerPath, 'utf8'));
  const [first] = marker.files;
  await writeFile(join(dir, 'hive', ...first.path.split('/')), 'replaced by the user');
  const changed = await mdq(['--out', 'hive', '--partition-by', '_date', '--overwrite']);
  expect(changed.code).toBe(1);
  expect(changed.stderr).toContain(`holds ${first.path}, which changed since mdq exported it`);

  // A marker naming a file outside its folder is no marker at all.
  await writeFile(join(dir, 'victim.txt'), 'precious');
  await mkdir(join(dir, 'forged'));
  await writeFile(join(dir, 'forged', 'data.parquet'), 'x');
  await writeFile(
    join(dir, 'forged', '_mdq_export.json'),
    JSON.stringify({
      tool: 'mdq export',
      version: 1,
      files: [{ path: '../victim.txt', size: 8, etag: '' }],
      pending: [],
    }),
  );
  const before = await snapshot(dir);
  const forged = await mdq(['--out', 'forged', '--partition-by', '_date', '--overwrite']);
  expect(forged.code).toBe(1);
  expect(forged.stderr).toContain('--out forged was not written by mdq export');
  expect(await snapshot(dir)).toEqual(before);
});

test('links: a target that is a link, or a link inside an earlier export, is left alone', async () => {
  const { dir, mdq } = await project();
  await mkdir(join(dir, 'real'));
  await symlink(join(dir, 'real'), join(dir, 'linked'));
  const viaLink = await mdq(['--out', 'linked', '--partition-by', '_date', '--overwrite']);
  expect(viaLink.code).toBe(1);
  expect(viaLink.stderr).toContain('mdq: --out linked is a symbolic link');

  expect((await mdq(['--out', 'hive', '--partition-by', '_date'])).code).toBe(0);
  await symlink(join(dir, 'modeldata'), join(dir, 'hive', '_date=2024-01-01', 'modeldata'));
  const before = await snapshot(dir);
  const inside = await mdq(['--out', 'hive', '--partition-by', '_date', '--overwrite']);
  expect(inside.code).toBe(1);
  expect(inside.stderr).toContain(
    'holds _date=2024-01-01/modeldata, which mdq export did not write',
  );
  expect(await snapshot(dir)).toEqual(before);
  expect(await readdir(join(dir, 'hive', '_date=2024-01-01'))).toContain('modeldata');
});

test('a failed --overwrite leaves the earlier export folder as it was', async () => {
  const { dir, mdq } = await project();
  expect((await mdq(['--out', 'hive', '--partition-by', '_date'])).code).toBe(0);
  const before = await snapshot(join(dir, 'hive'));
  const failed = await mdq([
    '--out',
    'hive',
    '--partition-by',
    '_date',
    '--overwrite',
    '--query',
    "select *, error('boom') as e from scored",
  ]);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('mdq: export failed');
  expect(await snapshot(join(dir, 'hive'))).toEqual(before);
  expect((await readdir(dir)).filter((name) => name.startsWith('.mdq-tmp-'))).toEqual([]);
});
