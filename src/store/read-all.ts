import type { Readable } from 'node:stream';

/** Collects a (small) stream into one Buffer: headers, dataref payloads, tests. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
