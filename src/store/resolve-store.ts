import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageSharedKeyCredential } from '@azure/storage-blob';
import {
  connectionStringFromEnv,
  DEFAULT_CONTAINER,
  DEFAULT_MODELDATA_DIR,
  type Env,
  nonEmpty,
} from '../config.js';
import { ConfigError, UsageError } from '../errors.js';
import { safeUrl } from '../secrets.js';
import type { AzureBlobStore, AzureStoreOptions } from './azure-store.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-store.js';
import { PrefixedBlobStore } from './prefixed-store.js';

export interface ResolveStoreOptions {
  /** `--connection-string`; wins over the env vars. */
  connectionString?: string;
  env: Env;
  cwd: string;
  azure?: AzureStoreOptions;
}

export interface ResolvedStore {
  /** Already scoped to `prefix`: blob names are relative to it. */
  store: BlobStore;
  /** The folder inside the container the source named ('' or ending in '/'), for messages. */
  prefix: string;
  kind: 'local' | 'azure';
}

const CONNECTION_HINT =
  'pass --connection-string, or set AZURE_STORAGE_CONNECTION_STRING or AML_MODEL_DC_STORAGE';
const SPEC_HINT =
  'use a folder, az://<container>[/<prefix>], https://<account>.blob.core.windows.net/<container>[?<sas>], or http://127.0.0.1:<port>/<account>/<container> for Azurite';
const CONTAINER_NAME = /^(?:[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]|\$root|\$logs|\$web)$/;

/**
 * Turns `--source` (or its defaults) into a store, per design.md "CLI surface": no source means
 * MDQ_SOURCE, else the `modeldata` container of the connection string, else ./modeldata.
 * Credentials in order: --connection-string, AZURE_STORAGE_CONNECTION_STRING,
 * AML_MODEL_DC_STORAGE, a SAS in the URL, DefaultAzureCredential.
 *
 * Async because the Azure SDK is loaded only for an Azure source: importing it costs ~90 ms of
 * every start-up, and `mdq sql` or a pull from a folder never needs it.
 */
export async function resolveStore(
  spec: string | undefined,
  options: ResolveStoreOptions,
): Promise<ResolvedStore> {
  const source = nonEmpty(spec) ?? nonEmpty(options.env.MDQ_SOURCE);
  const connectionString =
    nonEmpty(options.connectionString) ?? connectionStringFromEnv(options.env);
  const azureOptions = options.azure ?? {};
  if (source === undefined) {
    if (connectionString !== undefined) {
      const { AzureBlobStore } = await azureStore();
      return azure(
        AzureBlobStore.fromConnectionString(connectionString, DEFAULT_CONTAINER, azureOptions),
        '',
      );
    }
    const folder = nonEmpty(options.env.MDQ_MODELDATA_DIR) ?? DEFAULT_MODELDATA_DIR;
    return local(resolve(options.cwd, folder));
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return local(resolve(options.cwd, source));
    case 'file':
      return local(fileUrlToPath(source));
    case 'az':
      return fromAzUrl(source, connectionString, azureOptions);
    case 'http':
    case 'https':
      return fromHttpUrl(source, connectionString, azureOptions);
    default:
      throw new UsageError(`source "${safeUrl(source)}" has an unsupported scheme "${scheme}:"`, {
        hint: SPEC_HINT,
      });
  }
}

/** The Azure store and SDK, loaded on first use (see resolveStore). */
const azureStore = () => import('./azure-store.js');
const azureSdk = () => import('@azure/storage-blob');

async function fromAzUrl(
  source: string,
  connectionString: string | undefined,
  options: AzureStoreOptions,
): Promise<ResolvedStore> {
  const [container = '', ...rest] = source.slice('az://'.length).split('/');
  // az:// is not a URL: folder names are taken as written (no percent-decoding).
  const prefix = prefixOf(rest, source, false);
  checkContainer(container, source);
  if (connectionString === undefined) {
    throw new ConfigError(`source ${source} needs a connection string for its account`, {
      hint: `${CONNECTION_HINT}, or use the container's https URL with a SAS token`,
    });
  }
  const { AzureBlobStore } = await azureStore();
  return azure(AzureBlobStore.fromConnectionString(connectionString, container, options), prefix);
}

async function fromHttpUrl(
  source: string,
  connectionString: string | undefined,
  options: AzureStoreOptions,
): Promise<ResolvedStore> {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new UsageError(`source "${safeUrl(source)}" is not a valid URL`, { hint: SPEC_HINT });
  }
  const shown = safeUrl(source);
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  // Azurite and IP endpoints put the account in the path; Azure puts it in the host name.
  const pathStyle = isPathStyleHost(url.hostname);
  const account = pathStyle ? segments.shift() : url.hostname.split('.')[0];
  const container = segments.shift() ?? '';
  if (account === undefined || account === '') {
    throw new UsageError(`source "${shown}" names no storage account`, { hint: SPEC_HINT });
  }
  checkContainer(container, shown);
  const prefix = prefixOf(segments, shown, true);
  const accountUrl = `${url.protocol}//${url.host}${pathStyle ? `/${account}` : ''}`;
  const containerUrl = `${accountUrl}/${container}`;

  const { AzureBlobStore } = await azureStore();
  const key =
    connectionString === undefined ? undefined : await accountKeyFor(connectionString, account);
  if (key !== undefined) {
    return azure(AzureBlobStore.fromContainerUrl(containerUrl, options, key), prefix);
  }
  if (url.search !== '') {
    if (!url.searchParams.has('sig')) {
      throw new UsageError(`the query of source "${shown}" is not a SAS token (it has no sig=)`, {
        hint: 'append the container SAS token as generated, e.g. ?sp=rl&st=...&se=...&sv=...&sr=c&sig=...',
      });
    }
    return azure(AzureBlobStore.fromContainerUrl(`${containerUrl}${url.search}`, options), prefix);
  }
  if (pathStyle || url.protocol === 'http:') {
    // DefaultAzureCredential's bearer tokens are only sent over https, and emulators use keys.
    throw new ConfigError(`no credential for source ${shown}`, {
      hint: `add a SAS token to the URL, or ${CONNECTION_HINT} (with AccountName=${account})`,
    });
  }
  return azure(AzureBlobStore.fromContainerUrl(containerUrl, options), prefix);
}

/** The shared key of a connection string whose AccountName is `account`, if it has one. */
async function accountKeyFor(
  connectionString: string,
  account: string,
): Promise<StorageSharedKeyCredential | undefined> {
  const { BlobServiceClient, StorageSharedKeyCredential } = await azureSdk();
  let service: InstanceType<typeof BlobServiceClient>;
  try {
    service = BlobServiceClient.fromConnectionString(connectionString.trim());
  } catch {
    return undefined; // not usable for this URL; the SAS or DefaultAzureCredential may be
  }
  const credential = service.credential;
  return service.accountName.toLowerCase() === account.toLowerCase() &&
    credential instanceof StorageSharedKeyCredential
    ? credential
    : undefined;
}

function isPathStyleHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === 'host.docker.internal' ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) ||
    hostname.startsWith('[')
  );
}

function checkContainer(container: string, shown: string): void {
  if (container === '') {
    throw new UsageError(`source "${shown}" names no container`, { hint: SPEC_HINT });
  }
  if (!CONTAINER_NAME.test(container)) {
    throw new UsageError(`source "${shown}": "${container}" is not a valid container name`, {
      hint: 'container names are 3-63 lower-case letters, digits and single hyphens',
    });
  }
}

function prefixOf(segments: string[], shown: string, percentEncoded: boolean): string {
  const parts = segments.filter((segment) => segment !== '');
  try {
    const decoded = percentEncoded ? parts.map((part) => decodeURIComponent(part)) : parts;
    if (decoded.some((part) => part === '.' || part === '..')) {
      throw new Error('dot segment');
    }
    return decoded.length === 0 ? '' : `${decoded.join('/')}/`;
  } catch {
    throw new UsageError(`source "${shown}" has an invalid folder path`, { hint: SPEC_HINT });
  }
}

function fileUrlToPath(source: string): string {
  try {
    return fileURLToPath(source);
  } catch {
    throw new UsageError(`source "${source}" is not a valid file URL`, { hint: SPEC_HINT });
  }
}

function local(folder: string): ResolvedStore {
  return { store: new LocalBlobStore(folder), prefix: '', kind: 'local' };
}

function azure(store: AzureBlobStore, prefix: string): ResolvedStore {
  return {
    store: prefix === '' ? store : new PrefixedBlobStore(store, prefix),
    prefix,
    kind: 'azure',
  };
}
