import type { ContainerClient } from '@azure/storage-blob';
import { failedResponse, sendGet } from './azure-pipeline.js';

/** A blob's URL as the SDK builds it: each path segment escaped, the container's query (SAS) kept. */
export function blobUrl(containerUrl: string, name: string): string {
  const url = new URL(containerUrl);
  const escaped = name.split('/').map(encodeURIComponent).join('/');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${escaped}`;
  return url.toString();
}

/**
 * GET of `length` bytes from `offset` through the container's own pipeline (azure-pipeline.ts),
 * without the SDK's download operation (a client object per blob, response-header models,
 * download wrappers): on 3,000 blobs of 5 KB from Azurite, ~600 ms of CPU against ~940 ms, and
 * the pull's main thread is what bounds small blobs. Resolves with the body stream on 200/206,
 * `undefined` on 416 (the range starts at or past the end); rejects with a FailedResponse.
 */
export async function rangedGet(
  container: ContainerClient,
  name: string,
  range: { offset: number; length: number },
  signal: AbortSignal | undefined,
): Promise<NodeJS.ReadableStream | undefined> {
  const response = await sendGet(container, blobUrl(container.url, name), {
    streamStatuses: [200, 206],
    headers: { 'x-ms-range': `bytes=${range.offset}-${range.offset + range.length - 1}` },
    ...(signal ? { signal } : {}),
  });
  if (response.status === 200 || response.status === 206) {
    return response.readableStreamBody;
  }
  if (response.status === 416) {
    return undefined;
  }
  throw failedResponse(response);
}
