import type { TokenCredential } from '@azure/identity';

/**
 * DefaultAzureCredential (az login, managed identity, AZURE_* env vars), loaded on the first token
 * request: @azure/identity pulls in MSAL, which a collector writing with a connection string, or a
 * pull from a folder, should never pay for at startup.
 */
export function lazyDefaultAzureCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import('@azure/identity').then(
        (identity) => new identity.DefaultAzureCredential(),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}
