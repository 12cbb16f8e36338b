/**
 * The fixture archives are what fixtures/README.md says they are: the traps are really in the
 * bytes, every data file fits the layout grammar, EXPECTED.json agrees with a count made here
 * straight from the files, and fixtures/generate.ts reproduces the committed bytes.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { expect, test } from 'vitest';
import { LAYOUTS, writeFixtures } from '../../fixtures/generate.js';
import { type LayoutKind, parseBlobPath } from '../../src/layout/index.js';
import { tableForIdentifier } from '../../src/query/roles.js';
import { makeTmpDir } from '../helpers/tmp.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

async function layoutFiles(layout: LayoutKind): Promise<Map<string, Buffer>> {
  const root = join(FIXTURES, layout);
  const files = new Map<string, Buffer>();
  for (const path of await walk(root)) {
    files.set(path, await readFile(join(root, path)));
  }
  return files;
}

function text(files: Map<string, Buffer>, path: string): string {
  const bytes = files.get(path);
  if (bytes === undefined) {
    throw new Error(`no fixture file ${path}`);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function only<T>(items: T[], description: string): T {
  expect(items, description).toHaveLength(1);
  return items[0] as T;
}

const isDataPath = (path: string) => path.endsWith('.csv') || path.endsWith('.jsonl');
const lines = (content: string) =>
  content.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

test('generate.ts reproduces the committed archives byte for byte', async () => {
  const tmp = await makeTmpDir('mdq-fixtures-');
  try {
    await writeFixtures(tmp.path);
    for (const layout of LAYOUTS) {
      const committed = await layoutFiles(layout);
      const regenerated = await walk(join(tmp.path, layout));
      expect(regenerated, layout).toEqual([...committed.keys()]);
      for (const path of regenerated) {
        const bytes = await readFile(join(tmp.path, layout, path));
        expect(bytes.equals(committed.get(path) as Buffer), `${layout}/${path}`).toBe(true);
      }
    }
  } finally {
    await tmp.cleanup();
  }
});

test.each(LAYOUTS)(
  '%s: every data file fits the layout grammar; other files are known',
  async (layout) => {
    const files = await layoutFiles(layout);
    for (const path of files.keys()) {
      if (isDataPath(path)) {
        expect(parseBlobPath(path, layout), path).toBeDefined();
      } else {
        // EXPECTED.json at the root, and v2's dataref payloads beside the .jsonl files.
        expect(path === 'EXPECTED.json' || (layout === 'v2' && path.endsWith('.json')), path).toBe(
          true,
        );
      }
    }
  },
);

test('workbench: CRLF header + LF rows, headerless predictions, quoting, UTF-8, drift, midnight', async () => {
  const files = await layoutFiles('workbench');
  const paths = [...files.keys()];
  const iris = paths.filter((p) => p.includes('/irisapp/unknown-model.pkl-unknown/'));
  const inputs = iris.filter((p) => p.includes('/inputs/'));
  const predictions = iris.filter((p) => p.includes('/prediction/'));

  expect(inputs.map((p) => p.split('/').slice(-4, -1).join('-'))).toEqual([
    '2024-01-01',
    '2024-01-02',
    '2024-01-04',
    '2024-01-05',
  ]); // 2024-01-03 is missing
  for (const path of [...inputs, ...predictions]) {
    expect(path.endsWith('/data.csv')).toBe(true);
  }
  for (const path of inputs) {
    const content = text(files, path);
    const firstBreak = content.indexOf('\n');
    expect(content.slice(0, firstBreak + 1)).toMatch(
      /^\$Timestamp,\$CorrelationId,\$RequestId,.*\r\n$/,
    );
    expect(content.slice(firstBreak + 1)).not.toContain('\r'); // pandas rows: LF
  }
  const header = (day: string) =>
    text(
      files,
      only(
        inputs.filter((p) => p.includes(day)),
        day,
      ),
    ).split('\r\n')[0];
  expect(header('2024/01/05')).toBe(`${header('2024/01/04')},client version`);

  for (const path of predictions) {
    expect(text(files, path)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/); // no header line
  }
  const mixed = text(
    files,
    only(
      predictions.filter((p) => p.includes('2024/01/05')),
      'pred 01-05',
    ),
  );
  expect(mixed).toMatch(/[^\r]\n/);
  expect(mixed).toContain('\r\n');

  const all = iris.map((p) => text(files, p)).join('');
  expect(all).toContain('"Müller, ""Lab"" 3"');
  expect(all).toContain('🌸');
  expect(all).toMatch(/,order-1001,/);
  expect(all).toMatch(/T\d\d:\d\d:\d\d,,/); // a $Timestamp without microseconds

  const rows = (path: string) =>
    parse(text(files, path).replaceAll('\r\n', '\n'), { relax_column_count: true }) as string[][];
  const inputRows = inputs.flatMap((p) => rows(p).slice(1));
  const predictionRows = predictions.flatMap(rows);
  const requestIds = inputRows.map((r) => r[2]);
  expect(Math.max(...requestIds.map((id) => requestIds.filter((x) => x === id).length))).toBe(3);
  const predicted = new Set(predictionRows.map((r) => r[2]));
  expect(new Set(requestIds.filter((id) => !predicted.has(id))).size).toBe(1);
  const late = only(
    inputRows.filter((r) => r[0]?.startsWith('2024-01-04T23:59')),
    'late input',
  );
  const latePrediction = rows(
    only(
      predictions.filter((p) => p.includes('2024/01/05')),
      'p',
    ),
  ).find((r) => r[2] === late[2]);
  expect(latePrediction?.[0]).toMatch(/^2024-01-05T00:00/);

  expect(new Set(paths.filter(isDataPath).map((p) => p.split('/')[3]))).toEqual(
    new Set(['irisapp', 'wineapp']),
  );
});

test('aks: padded and unpadded days, default version, suffix, header-only, 0-byte, line endings', async () => {
  const files = await layoutFiles('aks');
  const paths = [...files.keys()].filter(isDataPath);
  const iris = paths.filter((p) => p.includes('/irisapp/iris/'));

  expect(iris.some((p) => p.includes('/iris/default/inputs/2024/1/2/inputs.csv'))).toBe(true);
  expect(iris.some((p) => p.includes('/iris/default/inputs/2024/01/01/inputs.csv'))).toBe(true);
  expect(iris.some((p) => /\/2024\/0?1\/0?3\//.test(p))).toBe(false); // the missing day
  const suffixed = only(
    iris.filter((p) => p.endsWith('/2024/01/04/inputs_1.csv')),
    'inputs_1',
  );
  expect(files.has(suffixed.replace('inputs_1.csv', 'inputs.csv'))).toBe(true);
  expect(iris.some((p) => p.includes('/labels/'))).toBe(true);

  const zeroByte = iris.filter((p) => files.get(p)?.length === 0);
  expect(zeroByte).toHaveLength(1);
  const headerOnly = iris.filter((p) => {
    const content = text(files, p);
    return content !== '' && content.indexOf('\r\n') === content.length - 2;
  });
  expect(headerOnly).toHaveLength(1);
  expect(text(files, headerOnly[0] as string)).toContain('$aml_request_id');

  const crlfOnly = (content: string) =>
    content.split('\n').length - 1 === content.split('\r\n').length - 1;
  for (const path of iris.filter((p) => p.includes('/iris/default/'))) {
    expect(crlfOnly(text(files, path)), path).toBe(true); // numpy inputs, add_correlations rows
  }
  for (const path of iris.filter((p) => p.includes('/predictions/') || p.includes('/labels/'))) {
    expect(crlfOnly(text(files, path)), path).toBe(true);
  }
  const pandas = text(
    files,
    only(
      iris.filter((p) => p.endsWith('/iris/2/inputs/2024/01/05/inputs.csv')),
      'p',
    ),
  );
  expect(pandas.split('\r\n')).toHaveLength(2); // CRLF header only
  expect(pandas.split('\n').length).toBeGreaterThan(2); // LF rows

  const headerOf = (path: string) => text(files, path).split('\r\n')[0]?.split(',') ?? [];
  const before = headerOf(
    only(
      iris.filter((p) => p.endsWith('/iris/2/inputs/2024/01/05/inputs.csv')),
      'x',
    ),
  );
  const after = headerOf(
    only(
      iris.filter((p) => p.endsWith('/iris/2/inputs/2024/01/06/inputs.csv')),
      'y',
    ),
  );
  expect(after.indexOf('petal_area')).toBe(after.indexOf('$aml_dc_correlation_id') - 1);
  expect(before).not.toContain('petal_area');
  expect(after.slice(-8)).toEqual(before.slice(-8));
  expect(after.slice(-8)[0]).toBe('$aml_dc_correlation_id');

  const all = iris.map((p) => text(files, p)).join('');
  expect(all).toMatch(/,2024-01-02T08:30:00,1440,/);
  expect(all).toMatch(/,2024-01-01T10:21:33\.650217,1440,/);
  expect(all).toMatch(/,order-2001-[0-9a-f-]{36},/);

  // The prediction written after midnight sits in the input's day folder, same correlation id.
  const lateInput = text(
    files,
    only(
      iris.filter((p) => p.endsWith('/iris/2/inputs/2024/01/05/inputs.csv')),
      'z',
    ),
  )
    .split('\n')
    .find((l) => l.includes('2024-01-05T23:59:59'));
  const lateId = lateInput?.split(',')[4] ?? 'missing';
  expect(
    text(
      files,
      only(
        iris.filter((p) => p.endsWith('/iris/2/predictions/2024/01/05/predictions.csv')),
        'q',
      ),
    ),
  ).toContain(`,${lateId},2024-01-05T23:59:59.987654,`);

  // wineapp: predictions without add_correlations, no header and no id.
  const winePredictions = paths.filter(
    (p) => p.includes('/wineapp/') && p.includes('/predictions/'),
  );
  for (const path of winePredictions) {
    expect(text(files, path)).toMatch(/^[\d,]+\r\n$/);
  }
});

interface V2Line {
  path: string;
  raw: string;
  event: Record<string, unknown>;
}

async function v2Lines(files: Map<string, Buffer>): Promise<V2Line[]> {
  return [...files.keys()]
    .filter((p) => p.endsWith('.jsonl'))
    .flatMap((path) =>
      lines(text(files, path)).map((raw) => ({
        path,
        raw,
        event: JSON.parse(raw) as Record<string, unknown>,
      })),
    );
}

test('v2: names, 0-byte file, key order, escapes, nulls, unknown key, dataref, payload logging', async () => {
  const files = await layoutFiles('v2');
  const paths = [...files.keys()].filter(isDataPath);
  for (const path of paths) {
    expect(path.split('/').at(-1)).toMatch(/^[0-9a-f]{32}\d{6}\.jsonl$/);
  }
  expect(paths.filter((p) => files.get(p)?.length === 0)).toHaveLength(1);
  expect(paths.some((p) => !text(files, p).endsWith('\n') && text(files, p) !== '')).toBe(true);
  const collections = new Set(paths.map((p) => p.split('/')[3]));
  expect(collections).toEqual(
    new Set(['model_inputs', 'model_outputs', 'feedback', 'ground_truth', 'request', 'response']),
  );

  const all = await v2Lines(files);
  const orders = new Set(
    all.map((l) =>
      Object.keys(l.event)
        .filter((k) => !['data', 'dataref'].includes(k))
        .join(),
    ),
  );
  expect(orders.size).toBeGreaterThan(1);
  const known = new Set([
    'specversion',
    'id',
    'source',
    'type',
    'datacontenttype',
    'time',
    'data',
    'dataref',
    'contentrange',
    'correlationid',
    'xrequestid',
    'modelversion',
    'collectdatatype',
    'agent',
    'path',
    'method',
  ]);
  expect(all.some((l) => Object.keys(l.event).some((k) => !known.has(k)))).toBe(true);
  const raw = all.map((l) => l.raw).join('\n');
  expect(raw).toContain('\\/');
  expect(raw).toMatch(/\\u00[0-9a-f]{2}/);
  expect(raw).toMatch(/\\ud83c\\udf38/); // an emoji as a surrogate pair
  expect(raw).toContain(':null');

  for (const l of all) {
    expect(l.path.split('/')[3]).toBe(String(l.event.type).replace('azureml.inference.', ''));
    expect(l.path.split('/').slice(4, 8).join('-')).toBe(
      String(l.event.time).slice(0, 13).replace('T', '-'),
    );
    if (Array.isArray(l.event.data) && 'collectdatatype' in l.event) {
      // SDK events: contentrange covers the `data` text exactly (payload logging ends in `/*`).
      const dataText = l.raw.slice(
        l.raw.indexOf('"data":') + 7,
        l.raw.indexOf(']', l.raw.indexOf('"data":')) + 1,
      );
      const n = Buffer.byteLength(dataText);
      expect(l.event.contentrange).toBe(`bytes 0-${n - 1}/${n}`);
    }
  }
  const multiRow = all.filter((l) => Array.isArray(l.event.data) && l.event.data.length >= 3);
  expect(multiRow.length).toBeGreaterThan(0);

  const refs = all.filter((l) => typeof l.event.dataref === 'string');
  expect(
    refs.map((l) => (String(l.event.dataref).startsWith('https://') ? 'url' : 'path')).sort(),
  ).toEqual(['path', 'url']);
  for (const l of refs) {
    const ref = String(l.event.dataref);
    const blob = ref.startsWith('https://')
      ? new URL(ref).pathname.split('/').slice(2).join('/')
      : ref;
    expect(blob.startsWith('modelDataCollector/')).toBe(true);
    const payload = JSON.parse(text(files, blob)) as unknown[];
    expect(payload.length).toBeGreaterThan(0);
    const n = files.get(blob)?.length ?? 0;
    expect(l.event.contentrange).toBe(`bytes 0-${n - 1}/${n}`);
    expect('data' in l.event).toBe(false);
  }

  for (const l of all.filter((x) => ['request', 'response'].includes(x.path.split('/')[3] ?? ''))) {
    expect(l.event.path).toBe('/score');
  }
  const keysByDay = (day: string) =>
    new Set(
      all
        .filter(
          (l) =>
            l.path.includes(`/irisapp/blue/model_inputs/${day}/`) && Array.isArray(l.event.data),
        )
        .flatMap((l) => (l.event.data as Record<string, unknown>[]).flatMap(Object.keys)),
    );
  expect([...keysByDay('2024/01/05')].filter((k) => !keysByDay('2024/01/01').has(k))).toEqual([
    'petal_area',
  ]);
});

/** Rows read straight from the files: table, service, model, version, key, day, columns. */
interface CountedRow {
  table: string;
  service: string;
  model: string;
  modelVersion: string;
  key: string | null;
  day: string;
  columns: string[];
}

function csvRows(layout: 'workbench' | 'aks', path: string, content: string): CountedRow[] {
  const blob = parseBlobPath(path, layout);
  if (!blob || content === '') {
    return [];
  }
  // csv-parse takes its record delimiter from the first line: normalise the CRLF/LF mix first.
  const records = parse(content.replaceAll('\r\n', '\n'), {
    relax_column_count: true,
  }) as string[][];
  const first = records[0] ?? [];
  const hasHeader = first[0] === '$Timestamp' || first.some((c) => c.startsWith('$aml_'));
  const header = hasHeader
    ? first
    : layout === 'workbench'
      ? ['$Timestamp', '$CorrelationId', '$RequestId']
      : [];
  const base = {
    table: tableForIdentifier(blob.identifier),
    service: blob.service,
    model: blob.model,
    modelVersion: blob.modelVersion,
    day: `${blob.day.year}-${String(blob.day.month).padStart(2, '0')}-${String(blob.day.day).padStart(2, '0')}`,
  };
  return records.slice(hasHeader ? 1 : 0).map((cells) => {
    const columns = cells.map((_, i) => header[i] ?? String(i - header.length));
    const get = (name: string) => cells[columns.indexOf(name)] ?? '';
    const key =
      layout === 'workbench'
        ? get('$CorrelationId') || get('$RequestId')
        : columns.includes('$aml_dc_correlation_id')
          ? get('$aml_dc_correlation_id')
          : null;
    return { ...base, key, columns };
  });
}

async function countedRows(layout: LayoutKind, files: Map<string, Buffer>): Promise<CountedRow[]> {
  if (layout !== 'v2') {
    return [...files.keys()].filter(isDataPath).flatMap((p) => csvRows(layout, p, text(files, p)));
  }
  return (await v2Lines(files)).flatMap((l) => {
    const blob = parseBlobPath(l.path, 'v2');
    if (!blob || ['request', 'response'].includes(blob.identifier)) {
      return [];
    }
    const ref = typeof l.event.dataref === 'string' ? l.event.dataref : undefined;
    const target = ref?.startsWith('https://')
      ? new URL(ref).pathname.split('/').slice(2).join('/')
      : ref;
    const data = (target ? JSON.parse(text(files, target)) : l.event.data) as Record<
      string,
      unknown
    >[];
    return data.map((row) => ({
      table: tableForIdentifier(blob.identifier),
      service: blob.service,
      model: blob.model,
      modelVersion: String(l.event.modelversion),
      key: String(l.event.correlationid),
      day: String(l.event.time).slice(0, 10),
      columns: Object.keys(row),
    }));
  });
}

interface ExpectedPull {
  service: string;
  from: string;
  to: string;
  tables: Record<string, { rows: number; columns: string[]; days: string[] }>;
  matched: number;
  unmatched: number;
  days: string[];
}

test.each(LAYOUTS)('%s: EXPECTED.json agrees with a count made from the files', async (layout) => {
  const files = await layoutFiles(layout);
  const expected = JSON.parse(text(files, 'EXPECTED.json')) as ExpectedPull & {
    services: string[];
    others: ExpectedPull[];
  };
  expect(expected.services).toEqual(['irisapp', 'wineapp']);
  expect(expected).toMatchObject({ service: 'irisapp', from: '2024-01-01', to: '2024-01-07' });
  const rows = await countedRows(layout, files);
  for (const pull of [expected, ...expected.others]) {
    const mine = rows.filter(
      (r) => r.service === pull.service && r.day >= pull.from && r.day <= pull.to,
    );
    const tables = [...new Set(mine.map((r) => r.table))].sort();
    expect(
      Object.keys(pull.tables)
        .filter((t) => pull.tables[t]?.rows !== 0)
        .sort(),
    ).toEqual(tables);
    for (const table of tables) {
      const of = mine.filter((r) => r.table === table);
      expect(pull.tables[table]?.rows, `${pull.service} ${table}`).toBe(of.length);
      expect(pull.tables[table]?.columns).toEqual(
        [...new Set(of.flatMap((r) => r.columns))].sort(),
      );
    }
    expect(pull.days).toEqual([...new Set(mine.map((r) => r.day))].sort());

    const withOrdinals = (table: string) => {
      const seen = new Map<string, number>();
      return mine
        .filter((r) => r.table === table && r.key !== null)
        .map((r) => {
          const group = [r.model, r.modelVersion, r.key].join('|');
          const n = seen.get(group) ?? 0;
          seen.set(group, n + 1);
          return `${group}|${n}`;
        });
    };
    const predicted = new Set(withOrdinals('predictions'));
    const inputs = mine.filter((r) => r.table === 'inputs').length;
    // Issue 16: a request's only headerless line of n > 1 values spreads over its n input rows.
    const request = (r: CountedRow) => [r.model, r.modelVersion, r.key].join('|');
    const perRequest = (table: string) => {
      const n = new Map<string, CountedRow[]>();
      for (const r of mine.filter((row) => row.table === table && row.key !== null)) {
        n.set(request(r), [...(n.get(request(r)) ?? []), r]);
      }
      return n;
    };
    const inputRows = perRequest('inputs');
    const spread = new Set(
      [...perRequest('predictions')]
        .filter(([group, lines]) => {
          const n = inputRows.get(group)?.length ?? 0;
          const width = lines[0]?.columns.filter((c) => /^\d+$/.test(c)).length;
          return lines.length === 1 && n > 1 && width === n;
        })
        .map(([group]) => group),
    );
    const matched = withOrdinals('inputs').filter(
      (k) => predicted.has(k) || spread.has(k.slice(0, k.lastIndexOf('|'))),
    ).length;
    expect({ matched: pull.matched, unmatched: pull.unmatched }).toEqual({
      matched,
      unmatched: inputs - matched,
    });
  }
  // The week of irisapp: one unmatched input, in every layout.
  expect(expected.unmatched).toBe(1);
});
