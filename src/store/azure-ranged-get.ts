import { createPipelineRequest } from '@azure/core-rest-pipeline';
import type { ContainerClient } from '@azure/storage-blob';
import { containerPipeline, failedResponse } from './azure-pipeline.js';

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
  const pipeline = containerPipeline(container);
  const url = blobUrl(container.url, name);
  const request = createPipelineRequest({
    url,
    method: 'GET',
    streamResponseStatusCodes: new Set([200, 206]),
    // The SDK's own requests allow plain http to the endpoints it was given (Azurite).
    allowInsecureConnection: url.startsWith('http:'),
    ...(signal ? { abortSignal: signal } : {}),
  });
  request.headers.set('x-ms-version', pipeline.version);
  request.headers.set('x-ms-range', `bytes=${range.offset}-${range.offset + range.length - 1}`);
  const response = await pipeline.sendRequest(request);
  if (response.status === 200 || response.status === 206) {
    return response.readableStreamBody;
  }
  if (response.status === 416) {
    return undefined;
  }
  throw failedResponse(response);
}
