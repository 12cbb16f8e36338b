import {
  createPipelineRequest,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { ContainerClient } from '@azure/storage-blob';

/**
 * What mdq's direct requests need of a container client: its own pipeline (credential, retries,
 * the SDK's HTTP client) and the service version it speaks. Requests sent here skip the SDK's
 * operation layer (serialisation, response models), which on small blobs cost a third of a
 * pull's client CPU, and keep everything else the SDK does for its own calls: shared key, a SAS
 * in the URL or Entra ID tokens, and the same retries.
 */
interface ContainerPipeline {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
  version: string;
}

/**
 * Reaches a ContainerClient's protected pipeline: the SDK exposes it only to subclasses. The SDK
 * is pinned, and store-contract.test.ts reads and lists through this, so an upgrade that moves
 * it fails there, not in a user's pull.
 */
class PipelineAccess extends ContainerClient {
  static of(client: ContainerClient): ContainerPipeline {
    return (client as PipelineAccess).storageClientContext;
  }
}

/**
 * A GET of `url` through the container's pipeline, with the service version the SDK's own
 * requests carry. Responses with a status in `streamStatuses` keep their body as a stream;
 * any other body is read as text (and parsed by the pipeline if it is XML).
 */
export function sendGet(
  container: ContainerClient,
  url: string,
  options: { streamStatuses: number[]; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<PipelineResponse> {
  const pipeline = PipelineAccess.of(container);
  const request = createPipelineRequest({
    url,
    method: 'GET',
    streamResponseStatusCodes: new Set(options.streamStatuses),
    // The SDK's own requests allow plain http to the endpoints it was given (Azurite).
    allowInsecureConnection: url.startsWith('http:'),
    ...(options.signal ? { abortSignal: options.signal } : {}),
  });
  request.headers.set('x-ms-version', pipeline.version);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    request.headers.set(name, value);
  }
  return pipeline.sendRequest(request);
}

/** The status and error code of a response that failed, in the shape toStorageError reads. */
export interface FailedResponse {
  name: 'RestError';
  statusCode: number;
  message: string;
  details: { errorCode: string };
}

/** The service's error code (header) and message (XML body, first line), as the SDK reports them. */
export function failedResponse(response: PipelineResponse): FailedResponse {
  const code = response.headers.get('x-ms-error-code') ?? '';
  const message = /<Message>([^<\n]*)/.exec(response.bodyAsText ?? '')?.[1]?.trim();
  return {
    name: 'RestError',
    statusCode: response.status,
    message: message || `${response.status} ${code}`.trim(),
    details: { errorCode: code },
  };
}
