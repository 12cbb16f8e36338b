import { EventEmitter } from 'node:events';

const CTRL_C = 0x03;
const CR = 0x0d;
const LF = 0x0a;

/** The terminal side of stdin: what readline needs of it, and what the shell forwards to. */
export interface TerminalStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * The shell's keyboard, between the terminal and readline. While a query runs, keys are held
 * (type-ahead, replayed at the next prompt, as a terminal does for psql) except Ctrl-C, which
 * cancels the query. Input is handed to readline one line at a time, so the lines of a paste
 * that arrive while an earlier one runs wait for it instead of being edited meanwhile.
 *
 * It is the `input` readline reads: readline decodes keys from its `data` events, calls
 * `setRawMode`, `pause` and `resume`, and listens for `end`.
 */
export class ShellInput extends EventEmitter {
  readonly isTTY = true;
  readonly #terminal: TerminalStream;
  readonly #onData = (chunk: Buffer | string) => this.#receive(Buffer.from(chunk));
  readonly #onEnd = () => this.emit('end');
  #held: Buffer = Buffer.alloc(0);
  #onInterrupt: (() => void) | undefined;

  constructor(terminal: TerminalStream) {
    super();
    this.#terminal = terminal;
    terminal.on('data', this.#onData);
    terminal.on('end', this.#onEnd);
  }

  /** While `onInterrupt` is set, keys wait; Ctrl-C calls it. */
  hold(onInterrupt: () => void): void {
    this.#onInterrupt = onInterrupt;
  }

  /** Ends a hold and hands over what was typed meanwhile. */
  release(): void {
    this.#onInterrupt = undefined;
    const held = this.#held;
    this.#held = Buffer.alloc(0);
    this.#forward(held);
  }

  /** Lets go of the terminal: the shell is leaving. */
  detach(): void {
    this.#terminal.off('data', this.#onData);
    this.#terminal.off('end', this.#onEnd);
    this.#terminal.pause();
  }

  setRawMode(mode: boolean): this {
    this.#terminal.setRawMode?.(mode);
    return this;
  }

  pause(): this {
    this.#terminal.pause();
    return this;
  }

  resume(): this {
    this.#terminal.resume();
    return this;
  }

  isPaused(): boolean {
    return this.#terminal.isPaused();
  }

  #receive(chunk: Buffer): void {
    if (this.#onInterrupt === undefined) {
      this.#forward(chunk);
      return;
    }
    const interrupts = chunk.filter((byte) => byte === CTRL_C).length;
    this.#held = Buffer.concat([this.#held, chunk.filter((byte) => byte !== CTRL_C)]);
    if (interrupts > 0) {
      this.#onInterrupt();
    }
  }

  /** One line at a time: after each line end, a hold that began stops the rest. */
  #forward(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      if (this.#onInterrupt !== undefined) {
        this.#receive(chunk.subarray(start));
        return;
      }
      const end = lineEnd(chunk, start);
      this.emit('data', chunk.subarray(start, end));
      start = end;
    }
  }
}

/** Just past the next CR, LF or CRLF from `start`, or the end of the chunk. */
function lineEnd(chunk: Buffer, start: number): number {
  for (let index = start; index < chunk.length; index += 1) {
    const byte = chunk[index];
    if (byte === LF) {
      return index + 1;
    }
    if (byte === CR) {
      return chunk[index + 1] === LF ? index + 2 : index + 1;
    }
  }
  return chunk.length;
}
