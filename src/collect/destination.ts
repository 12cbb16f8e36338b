import { resolve } from 'node:path';
import {
  DEFAULT_MODELDATA_DIR,
  DEFAULT_SPOOL_DIR,
  type Env,
  isCollectorStorageEnabled,
  nonEmpty,
} from '../config.js';
import { ConfigError } from '../errors.js';
import type { BlobStore } from '../store/blob-store.js';
import { LocalBlobStore } from '../store/local-store.js';
import type { ModelDataCollectorOptions } from './options.js';

/** Where a collector writes, resolved without I/O. */
export interface Destination {
  /** Azure's SDK is loaded only when Azure is the destination, hence a promise. */
  store: Promise<BlobStore>;
  /** Stable, secret-free identity of the destination: spool files are replayed only to it. */
  key: string;
  kind: 'store' | 'local' | 'azure';
}

/**
 * In order: an explicit `store`; `connectionString`; `folder`; else
 * `AML_MODEL_DC_STORAGE_ENABLED=true` (exactly) with `AML_MODEL_DC_STORAGE` → Azure container
 * `modeldata`; else the local folder MDQ_MODELDATA_DIR, default ./modeldata.
 */
export function resolveDestination(options: ModelDataCollectorOptions, env: Env): Destination {
  if (options.store !== undefined) {
    return {
      store: Promise.resolve(options.store),
      key: `store:${options.store.description}`,
      kind: 'store',
    };
  }
  const container = options.container ?? 'modeldata';
  if (options.connectionString !== undefined) {
    return azure(options.connectionString, container);
  }
  if (options.folder !== undefined) {
    return local(options.folder);
  }
  if (isCollectorStorageEnabled(env)) {
    const connectionString = nonEmpty(env.AML_MODEL_DC_STORAGE);
    if (connectionString === undefined) {
      throw new ConfigError(
        'AML_MODEL_DC_STORAGE_ENABLED is true but AML_MODEL_DC_STORAGE is not set',
        { hint: 'set AML_MODEL_DC_STORAGE to the storage account connection string' },
      );
    }
    return azure(connectionString, container);
  }
  return local(nonEmpty(env.MDQ_MODELDATA_DIR) ?? DEFAULT_MODELDATA_DIR);
}

export function spoolDirFor(options: ModelDataCollectorOptions, env: Env): string {
  return resolve(options.spoolDir ?? nonEmpty(env.MDQ_SPOOL_DIR) ?? DEFAULT_SPOOL_DIR);
}

function local(folder: string): Destination {
  const root = resolve(folder);
  return { store: Promise.resolve(new LocalBlobStore(root)), key: `local:${root}`, kind: 'local' };
}

function azure(connectionString: string, container: string): Destination {
  const account = accountOf(connectionString);
  if (account === undefined) {
    // Never echo the string: it holds the key.
    throw new ConfigError('the Azure Storage connection string names no account', {
      hint: 'it needs AccountName=... or BlobEndpoint=...; copy it again from the portal',
    });
  }
  const store = import('../store/azure-store.js').then(({ AzureBlobStore }) =>
    AzureBlobStore.fromConnectionString(connectionString, container),
  );
  store.catch(() => undefined); // reported when the first upload awaits it
  return { store, key: `azure:${account}/${container}`, kind: 'azure' };
}

/** `AccountName`, else the BlobEndpoint (without query), as an identity free of secrets. */
function accountOf(connectionString: string): string | undefined {
  const fields = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
    }
  }
  const endpoint = fields.get('blobendpoint')?.split('?')[0];
  const name = fields.get('accountname');
  if (endpoint !== undefined && endpoint !== '') {
    return name === undefined ? endpoint : `${name}@${endpoint}`;
  }
  return name === undefined || name === '' ? undefined : name;
}
