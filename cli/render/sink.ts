import type { Writable } from 'node:stream';
import type { OutputFormat } from './output.js';
import { type TerminalEscaper, terminalEscaper } from './terminal-escape.js';

/** Where a result's text goes: `out` with backpressure, escaped when `out` is a terminal. */
export interface Sink {
  format: OutputFormat;
  /**
   * Writes the chunk; true when it is no longer referenced once this resolves, so its buffer
   * may be reused: it was copied (escaped), or a file or pipe descriptor took it at once.
   */
  write(chunk: Buffer | string): Promise<boolean>;
  end(): Promise<void>;
}

/** The formats that are data for programs (escaped on a terminal, exact elsewhere). */
export function isTextFormat(format: OutputFormat): format is 'csv' | 'json' | 'ndjson' {
  return format === 'csv' || format === 'json' || format === 'ndjson';
}

/** Writes to `out`, through the terminal escaper when `out` is a terminal. */
export function sinkFor(
  out: Writable,
  options: { format: OutputFormat; isTerminal?: boolean | undefined },
): Sink {
  const { format } = options;
  const escaper: TerminalEscaper | undefined =
    options.isTerminal && isTextFormat(format)
      ? terminalEscaper(format === 'csv' ? 'csv' : 'json')
      : undefined;
  // A stream over a descriptor (stdout, a file) has written a chunk when nothing is left
  // queued; an in-memory stream (a PassThrough) may hold on to it long after.
  const isDescriptor = typeof (out as { fd?: unknown }).fd === 'number';
  return {
    format,
    async write(chunk) {
      if (escaper) {
        await write(out, escaper.push(chunk));
        return true;
      }
      await write(out, chunk);
      return isDescriptor && out.writableLength === 0;
    },
    end: () => write(out, escaper?.end() ?? ''),
  };
}

/**
 * Writes and, when the stream's buffer is full, waits for it to drain (backpressure). Every
 * listener added for the wait is removed after it, whichever event ends it: a long result waits
 * thousands of times.
 */
export async function write(stream: Writable, chunk: Buffer | string): Promise<void> {
  if (chunk.length === 0) {
    return;
  }
  if (!stream.write(chunk)) {
    await drained(stream);
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const onDrain = () => settle();
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new OutputClosedError());
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}

/** The reader of the output went away before the result was written. */
export class OutputClosedError extends Error {
  constructor() {
    super('the output was closed before the result was written');
    this.name = 'OutputClosedError';
  }
}
