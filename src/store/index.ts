export { AzureBlobStore, type AzureStoreOptions } from './azure-store.js';
export * from './blob-store.js';
export { LocalBlobStore } from './local-store.js';
export { PrefixedBlobStore } from './prefixed-store.js';
export { type ResolvedStore, type ResolveStoreOptions, resolveStore } from './resolve-store.js';
export { isTransientError, type RetryOptions, withRetry } from './retry.js';
