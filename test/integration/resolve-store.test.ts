import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ContainerClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MdqError } from '../../src/errors.js';
import { AzureBlobStore } from '../../src/store/azure-store.js';
import type { BlobStore } from '../../src/store/blob-store.js';
import { LocalBlobStore } from '../../src/store/local-store.js';
import { resolveStore } from '../../src/store/resolve-store.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../helpers/azurite.js';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const cwd = '/work/project';

async function failure(run: () => Promise<unknown>): Promise<MdqError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(MdqError);
    return error as MdqError;
  }
  throw new Error('expected resolveStore to throw');
}

/** Writes through the resolved store, reads back through a plain one on the container root. */
async function roundTrip(store: BlobStore, container: string, expectedName: string) {
  await store.put('probe.txt', Buffer.from('hello'));
  const root = AzureBlobStore.fromConnectionString(azurite.connectionString, container);
  expect((await root.readBuffer(expectedName)).toString()).toBe('hello');
}

describe('defaults when no source is given', () => {
  test('the local ./modeldata folder, or MDQ_MODELDATA_DIR', async () => {
    const plain = await resolveStore(undefined, { env: {}, cwd });
    expect(plain.kind).toBe('local');
    expect(plain.prefix).toBe('');
    expect(plain.store).toBeInstanceOf(LocalBlobStore);
    expect(plain.store.description).toBe('/work/project/modeldata');
    const moved = await resolveStore(undefined, { env: { MDQ_MODELDATA_DIR: 'data/md' }, cwd });
    expect(moved.store.description).toBe('/work/project/data/md');
  });

  test('MDQ_SOURCE wins over the connection string', async () => {
    const resolved = await resolveStore(undefined, {
      env: { MDQ_SOURCE: 'archive', AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      cwd,
    });
    expect(resolved.store.description).toBe('/work/project/archive');
  });

  test('a connection string means its "modeldata" container', async () => {
    for (const name of ['AZURE_STORAGE_CONNECTION_STRING', 'AML_MODEL_DC_STORAGE']) {
      const resolved = await resolveStore(undefined, {
        env: { [name]: azurite.connectionString },
        cwd,
      });
      expect(resolved.kind).toBe('azure');
      expect(resolved.store.description).toBe(`az://modeldata at ${azurite.blobEndpoint}`);
    }
    const resolved = await resolveStore(undefined, {
      env: { AML_MODEL_DC_STORAGE: azurite.connectionString },
      cwd,
    });
    await roundTrip(resolved.store, 'modeldata', 'probe.txt');
  });

  test('--connection-string wins over the env vars', async () => {
    const wrong = azurite.connectionString.replace(
      AZURITE_KEY,
      Buffer.alloc(64, 1).toString('base64'),
    );
    const container = await azurite.createContainer();
    const resolved = await resolveStore(`az://${container}`, {
      connectionString: azurite.connectionString,
      env: { AZURE_STORAGE_CONNECTION_STRING: wrong, AML_MODEL_DC_STORAGE: wrong },
      cwd,
    });
    await roundTrip(resolved.store, container, 'probe.txt');
  });
});

describe('source forms', () => {
  test('a folder, relative to cwd, or a file URL', async () => {
    expect((await resolveStore('md', { env: {}, cwd })).store.description).toBe('/work/project/md');
    expect((await resolveStore('/abs/md', { env: {}, cwd })).store.description).toBe('/abs/md');
    const url = pathToFileURL(join('/tmp', 'x y')).toString();
    expect((await resolveStore(url, { env: {}, cwd })).store.description).toBe('/tmp/x y');
  });

  test('az://container/prefix with a connection string is scoped to the prefix (taken as written)', async () => {
    const container = await azurite.createContainer();
    const resolved = await resolveStore(`az://${container}/team/a%20b`, {
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      cwd,
    });
    expect(resolved.kind).toBe('azure');
    expect(resolved.prefix).toBe('team/a%20b/');
    await roundTrip(resolved.store, container, 'team/a%20b/probe.txt');
  });

  test('az:// without a connection string names the ways to give one', async () => {
    const error = await failure(() => resolveStore('az://modeldata', { env: {}, cwd }));
    expect(error.code).toBe('config');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain('--connection-string');
    expect(error.hint).toContain('AZURE_STORAGE_CONNECTION_STRING');
    expect(error.hint).toContain('AML_MODEL_DC_STORAGE');
  });

  test("Azurite's path-style URL with a SAS, or with a matching connection string", async () => {
    const container = await azurite.createContainer();
    const client = new ContainerClient(
      `${azurite.blobEndpoint}/${container}`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const sasUrl = await client.generateSasUrl({
      permissions: ContainerSASPermissions.parse('racwdl'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const withSas = await resolveStore(sasUrl, { env: {}, cwd });
    expect(withSas.store.description).toBe(`az://${container} at ${azurite.blobEndpoint}`);
    await roundTrip(withSas.store, container, 'probe.txt');

    const prefixed = await resolveStore(`${azurite.blobEndpoint}/${container}/in/here%20now`, {
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
      cwd,
    });
    expect(prefixed.prefix).toBe('in/here now/');
    await roundTrip(prefixed.store, container, 'in/here now/probe.txt');

    const error = await failure(() =>
      resolveStore(`${azurite.blobEndpoint}/${container}`, { env: {}, cwd }),
    );
    expect(error.code).toBe('config');
    expect(error.hint).toContain('AccountName=devstoreaccount1');
  });

  test('an https account URL: SAS or DefaultAzureCredential, never printed', async () => {
    const sig = 'c2VjcmV0LXNpZ25hdHVyZS12YWx1ZQ%3D%3D';
    const withSas = await resolveStore(
      `https://acct.blob.core.windows.net/modeldata/sub1?sv=2024-11-04&sr=c&sp=rl&se=2030-01-01&sig=${sig}`,
      { env: {}, cwd },
    );
    expect(withSas.kind).toBe('azure');
    expect(withSas.prefix).toBe('sub1/');
    expect(withSas.store.description).toBe(
      'az://modeldata at https://acct.blob.core.windows.net under sub1/',
    );
    // No SAS: DefaultAzureCredential, created lazily (no token is requested here).
    const ambient = await resolveStore('https://acct.blob.core.windows.net/modeldata', {
      env: {},
      cwd,
    });
    expect(ambient.store.description).toBe('az://modeldata at https://acct.blob.core.windows.net');
  });

  test('malformed sources are usage errors naming the source, never its secret', async () => {
    const cases: [string, string][] = [
      ['az://', 'usage'],
      ['az://Bad_Name/x', 'usage'],
      ['s3://bucket/key', 'usage'],
      ['https://', 'usage'],
      ['https://acct.blob.core.windows.net/', 'usage'],
      ['https://acct.blob.core.windows.net/c1?foo=bar', 'usage'],
      ['https://acct.blob.core.windows.net/?sv=1&sig=TOPSECRETSIG', 'usage'],
      ['https://acct.blob.core.windows.net/c1/../x', 'usage'],
    ];
    for (const [spec, code] of cases) {
      const error = await failure(() =>
        resolveStore(spec, {
          env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
          cwd,
        }),
      );
      expect(error.code, spec).toBe(code);
      expect(error.exitCode).toBe(2);
      expect(error.message).not.toContain('TOPSECRETSIG');
      expect(error.hint).toBeDefined();
    }
    const named = await failure(() => resolveStore('s3://bucket/key', { env: {}, cwd }));
    expect(named.message).toContain('s3://bucket/key');
  });

  test('a malformed connection string is a config error that does not repeat it', async () => {
    const error = await failure(() =>
      resolveStore(undefined, {
        env: { AZURE_STORAGE_CONNECTION_STRING: 'AccountName=x;AccountKey=TOPSECRETKEY' },
        cwd,
      }),
    );
    expect(error.code).toBe('config');
    expect(`${error.message} ${error.hint}`).not.toContain('TOPSECRETKEY');
  });
});
