import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Bytes read from a pipe into a few reused buffers. Moving gigabytes through fresh 64 KiB
 * buffers leaves up to ~64 MB of garbage waiting for V8 to notice (it collects when external
 * memory grows by that much) and costs a collection every few hundred chunks: a writer that
 * has handed a chunk on (a file or pipe took it at once) gives it back with `recycle`.
 */
export interface ChunkReader extends AsyncIterable<Buffer> {
  /** The chunk's bytes are no longer needed: its buffer may be read into again. */
  recycle(chunk: Buffer): void;
  /** Read everything left and drop it (the writer must never block on a full pipe). */
  drain(): void;
}

/** Pipe capacity on Linux: a read returns at most this much. */
const CHUNK_BYTES = 64 * 1024;
const SPARE_BUFFERS = 4;
/** Chunks read ahead of the writer before reading pauses (the pipe then fills, DuckDB waits). */
const MAX_AHEAD = 4;

/** Reads a non-blocking pipe descriptor (through libuv: no thread pool thread waits on it). */
export function pipeReader(fd: number): ChunkReader {
  const spare: Buffer[] = [];
  const ready: Buffer[] = [];
  let isDraining = false;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const socket = new Socket({
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: () => spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES),
      callback(bytes: number, buffer: Uint8Array) {
        const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
        if (isDraining) {
          recycle(chunk);
          return true;
        }
        ready.push(chunk);
        notify();
        return ready.length < MAX_AHEAD; // false pauses reading
      },
    },
  });
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('error', (error) => {
    failure = error;
    notify();
  });
  const recycle = (chunk: Buffer) => {
    if (spare.length < SPARE_BUFFERS && chunk.buffer.byteLength === CHUNK_BYTES) {
      spare.push(Buffer.from(chunk.buffer, 0, CHUNK_BYTES));
    }
  };
  return {
    recycle,
    drain() {
      isDraining = true;
      ready.length = 0;
      socket.resume();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const chunk = ready.shift();
        if (chunk) {
          socket.resume();
          yield chunk;
          continue;
        }
        if (failure) {
          throw failure;
        }
        if (ended) {
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

/** A finished file's bytes, chunk by chunk (no reuse: there is nothing to wait for). */
export function streamReader(stream: Readable): ChunkReader {
  return {
    recycle: () => undefined,
    drain: () => stream.resume(),
    [Symbol.asyncIterator]: () => stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
  };
}
