import { readdir } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../helpers/azurite.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * `mdq collect` as a sidecar: NDJSON on stdin, bad lines reported by number (the good ones are
 * still collected, and the exit status says some were not).
 */

let azurite: Azurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const STDIN = [
  '{"x": 1, "y": "a"}',
  '[{"x": 2, "y": "b"}, {"x": 3, "y": "c,d"}]',
  '{"x": 4, "y": ',
  '',
  'null',
  '{"$rows": [{"x": 5, "y": "e"}], "$correlationId": "req-42"}',
].join('\n');

async function allBlobs(store: BlobStore): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of store.list('')) {
    if (entry.kind === 'blob') {
      names.push(entry.name);
    }
  }
  return names;
}

test('mdq collect writes stdin rows to ./modeldata, reports bad lines by number, exits 1 for them', async () => {
  const tmp = await makeTmpDir();
  try {
    const result = await runMdq(['collect', '--service', 'svc', '--identifier', 'inputs'], {
      cwd: tmp.path,
      stdin: STDIN,
      env: {},
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('mdq: line 3: not JSON');
    expect(result.stderr).toContain('mdq: line 5: collect() got null');
    expect(result.stderr).not.toContain('warning');
    expect(result.stderr).toMatch(
      /mdq collect: 4 rows from 5 lines \(2 bad\); written 4, spooled 0, dropped 0/,
    );
    expect(result.stderr).toMatch(
      /^mdq: 2 of 5 lines were rejected \(numbered above\) and not collected\nhint: each line must be a JSON row object/m,
    );

    const store = new LocalBlobStore(`${tmp.path}/modeldata`);
    const names = await allBlobs(store);
    expect(names).toHaveLength(1);
    const [name] = names as [string];
    expect(name).toMatch(
      /^unknown\/unknown\/unknown\/svc\/unknown-model-unknown\/inputs\/\d{4}\/\d{2}\/\d{2}\/data\.csv$/,
    );
    const records = parse(await store.readBuffer(name), { columns: true }) as Record<
      string,
      string
    >[];
    expect(records.map((r) => [r.x, r.y])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c,d'],
      ['5', 'e'],
    ]);
    // Rows of one line share a request id; the envelope's id is the user's own.
    expect(records[1]?.$RequestId).toBe(records[2]?.$RequestId);
    expect(records[0]?.$RequestId).not.toBe(records[1]?.$RequestId);
    expect(records[3]).toMatchObject({ $CorrelationId: 'req-42', $RequestId: 'req-42' });
  } finally {
    await tmp.cleanup();
  }
});

test('mdq collect --source az://container writes to Azure and never prints the key', async () => {
  const tmp = await makeTmpDir();
  try {
    if (azurite === undefined) {
      throw new Error('azurite did not start');
    }
    const container = await azurite.createContainer('cli');
    const result = await runMdq(
      [
        'collect',
        '--service',
        'svc',
        '--identifier',
        'inputs',
        '--format',
        'aks',
        '--source',
        `az://${container}`,
      ],
      {
        cwd: tmp.path,
        stdin: STDIN,
        env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      },
    );
    expect(result.code).toBe(1); // lines 3 and 5
    expect(`${result.stdout}${result.stderr}`).not.toContain(AZURITE_KEY);
    expect(result.stderr).toMatch(/written 4, spooled 0, dropped 0/);
    const store = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
    const names = await allBlobs(store);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(
      /^default\/default\/default\/svc\/model\/default\/inputs\/\d{4}\/\d{2}\/\d{2}\/inputs\.csv$/,
    );
  } finally {
    await tmp.cleanup();
  }
});

test('unreachable storage: rows go to the spool, warnings carry no secret, exit 0', async () => {
  const tmp = await makeTmpDir();
  try {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:9/${AZURITE_ACCOUNT};`;
    const result = await runMdq(['collect', '--service', 'svc', '--identifier', 'inputs'], {
      cwd: tmp.path,
      stdin: '{"x": 1}\n{"x": 2}\n',
      env: {
        AML_MODEL_DC_STORAGE_ENABLED: 'true',
        AML_MODEL_DC_STORAGE: connectionString,
        MDQ_SPOOL_DIR: 'spool',
      },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('mdq: warning: ');
    expect(result.stderr).toMatch(/written 0, spooled 2, dropped 0/);
    expect(result.stderr).toContain(`mdq collect: 2 rows wait in the spool ${tmp.path}/spool;`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(AZURITE_KEY);
    expect(`${result.stdout}${result.stderr}`).not.toContain(AZURITE_KEY.slice(0, 16));
    const spooled = (await readdir(`${tmp.path}/spool`)).filter((n) => n.endsWith('.batch'));
    expect(spooled).toHaveLength(1);
  } finally {
    await tmp.cleanup();
  }
});

test('every line good: exit 0', async () => {
  const tmp = await makeTmpDir();
  try {
    const result = await runMdq(['collect', '--service', 'svc', '--identifier', 'inputs'], {
      cwd: tmp.path,
      stdin: '{"x": 1}\n[{"x": 2}, {"x": 3}]\n',
      env: {},
    });
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/^mdq collect: 3 rows from 2 lines \(0 bad\); written 3, /);
    expect(result.stderr).not.toMatch(/^mdq: /m);
  } finally {
    await tmp.cleanup();
  }
});

test('two collectors share a spool folder: each reports its own rows, the replay is reported apart', async () => {
  const tmp = await makeTmpDir();
  let restarted: Azurite | undefined;
  try {
    // Storage down for the first run (Azurite stopped: its port refuses connections).
    const down = await startAzurite();
    await down.stop();
    const env = {
      AML_MODEL_DC_STORAGE_ENABLED: 'true',
      AML_MODEL_DC_STORAGE: down.connectionString,
      MDQ_SPOOL_DIR: 'spool',
    };
    const first = await runMdq(['collect', '--service', 'svc', '--identifier', 'inputs'], {
      cwd: tmp.path,
      stdin: '{"x": 1}\n{"x": 2}\n',
      env,
    });
    expect(first.stderr).toMatch(/written 0, spooled 2, dropped 0/);

    // Back on the same port: a collector of another identifier replays the first one's rows.
    restarted = await startAzurite({ port: down.port });
    const second = await runMdq(['collect', '--service', 'svc', '--identifier', 'prediction'], {
      cwd: tmp.path,
      stdin: '{"p": 1}\n{"p": 2}\n{"p": 3}\n',
      env,
    });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(
      /^mdq collect: 3 rows from 3 lines \(0 bad\); written 3, spooled 0, dropped 0, replayed 2 from the spool → /m,
    );
    expect(second.stderr).not.toContain('wait in the spool');
    const store = AzureBlobStore.fromConnectionString(down.connectionString, 'modeldata');
    expect((await allBlobs(store)).map((name) => name.split('/')[5])).toEqual([
      'inputs',
      'prediction',
    ]);
  } finally {
    await restarted?.stop();
    await tmp.cleanup();
  }
});
