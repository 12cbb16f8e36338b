import { InterruptedError, MdqError, StorageError } from '../errors.js';
import { firstLineOf } from '../secrets.js';

/** What a failed Azure call was about, for a message that names it. */
export interface AzureErrorContext {
  /** The store's safe description (`az://<container> at <endpoint>`). */
  description: string;
  container: string;
  /** The account endpoint, safe to print. */
  account: string;
  /** The blob (or prefix) the call was about, if any. */
  blob?: string;
}

/** Network failures worth retrying: the request may not have reached the service at all. */
const NETWORK_CODES = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'REQUEST_SEND_ERROR',
];

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
]);

/** @azure/identity's "no credential" errors, recognised by name so identity stays lazy. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationError',
  'AuthenticationRequiredError',
]);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { errorCode?: unknown } | undefined;
  response?: { headers?: { get?: (name: string) => string | undefined } } | undefined;
}

/**
 * Turns whatever @azure/storage-blob or @azure/identity threw into a StorageError whose message
 * names the blob and the store, never a key or SAS. The SDK error is not kept as `cause`: it holds
 * the request (URL with SAS, Authorization header), so only a redacted copy of its first line is.
 */
export function toStorageError(error: unknown, context: AzureErrorContext): MdqError {
  if (error instanceof MdqError) {
    return error;
  }
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : undefined;
  const serviceCode = errorCodeOf(shape);
  const firstLine = firstLineOf(shape.message ?? error) || `${status ?? ''} ${serviceCode}`.trim();
  const cause = new Error(firstLine);
  const what =
    context.blob === undefined ? context.description : `${context.blob} in ${context.description}`;

  if (name === 'AbortError') {
    return new InterruptedError();
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new StorageError(
      'access-denied',
      `no Azure credential could sign in for ${context.description}`,
      {
        cause,
        hint: 'pass --connection-string, set AZURE_STORAGE_CONNECTION_STRING, put a SAS token in the URL, or sign in (az login / managed identity)',
      },
    );
  }
  if (status === 403 || AUTH_CODES.has(serviceCode)) {
    return new StorageError(
      'access-denied',
      `access denied to ${what}${serviceCode ? ` (${serviceCode})` : ''}`,
      {
        cause,
        hint: 'check the account key or connection string, the SAS token (permissions, expiry, clock), or the role assignment of your Azure login',
      },
    );
  }
  if (serviceCode === 'ContainerNotFound') {
    return new StorageError(
      'container-not-found',
      `container "${context.container}" does not exist at ${context.account}`,
      {
        cause,
        hint: 'check the container name in --source (collectors write to "modeldata"; v2 uses the workspace blob store)',
      },
    );
  }
  if (serviceCode === 'BlobNotFound' || (status === 404 && context.blob !== undefined)) {
    return new StorageError('blob-not-found', `blob ${what} does not exist`, { cause });
  }
  const networkCode = NETWORK_CODES.find((code) => shape.code === code || firstLine.includes(code));
  if (status === undefined && networkCode !== undefined) {
    return new StorageError(
      'storage-unreachable',
      `cannot reach ${context.account} (${networkCode}) for ${context.blob ?? `container "${context.container}"`}`,
      {
        cause,
        isTransient: true,
        hint: 'check the endpoint in --source or the connection string, and the network (proxy, firewall, private endpoint)',
      },
    );
  }
  const detail = [status, serviceCode]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
  return new StorageError(
    'storage-failed',
    `${what}: ${detail === '' ? firstLine : `${detail}: ${firstLine}`}`,
    {
      cause,
      isTransient: status !== undefined && TRANSIENT_STATUS.has(status),
    },
  );
}

/** The service's error code: the deserialised body, else the header (HEAD responses have no body). */
function errorCodeOf(shape: SdkErrorShape): string {
  const fromDetails = shape.details?.errorCode;
  if (typeof fromDetails === 'string') {
    return fromDetails;
  }
  const fromHeader = shape.response?.headers?.get?.('x-ms-error-code');
  if (typeof fromHeader === 'string') {
    return fromHeader;
  }
  return typeof shape.code === 'string' && /^[A-Z][A-Za-z]+$/.test(shape.code) ? shape.code : '';
}

/** Status code of an SDK error, for the few places that branch on it (409, 412, 416). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as SdkErrorShape | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function serviceCodeOf(error: unknown): string {
  return typeof error === 'object' && error !== null ? errorCodeOf(error as SdkErrorShape) : '';
}
