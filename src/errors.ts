/**
 * One error family for the whole library. `cli/main.ts` prints an `MdqError` as
 * `mdq: <message>` plus `hint: <hint>` and exits with `exitCode`; anything else is a bug.
 * Messages name the blob, path or argument at fault and never contain secrets.
 */
export interface MdqErrorOptions {
  exitCode?: number;
  hint?: string;
  cause?: unknown;
  /** Lines shown under the message as they are, e.g. the SQL with a caret under the fault. */
  detail?: readonly string[];
}

export class MdqError extends Error {
  /** Stable kebab-case code callers and tests can branch on. */
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;
  readonly detail: readonly string[];

  constructor(code: string, message: string, options: MdqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.detail = options.detail ?? [];
  }
}

/** The command line or an option value is wrong (exit code 2). */
export class UsageError extends MdqError {
  constructor(message: string, options: Omit<MdqErrorOptions, 'exitCode'> = {}) {
    super('usage', message, { ...options, exitCode: 2 });
  }
}

/** Configuration (env vars, connection strings, folders) is missing or malformed. */
export class ConfigError extends MdqError {
  constructor(message: string, options: Omit<MdqErrorOptions, 'exitCode'> = {}) {
    super('config', message, { ...options, exitCode: 2 });
  }
}

/** Blob storage failed: unreachable, denied, missing container or blob. */
export class StorageError extends MdqError {
  /** True when a retry may succeed (timeouts, 408/429/5xx, connection resets). */
  readonly isTransient: boolean;
  constructor(
    code: string,
    message: string,
    options: MdqErrorOptions & { isTransient?: boolean } = {},
  ) {
    super(code, message, options);
    this.isTransient = options.isTransient ?? false;
  }
}

/** DuckDB rejected a query or a load. */
export class QueryError extends MdqError {
  constructor(message: string, options: MdqErrorOptions = {}) {
    super('query', message, options);
  }
}

/** The work was cancelled through its AbortSignal (Ctrl-C): exit code 130. */
export class InterruptedError extends MdqError {
  constructor(message = 'interrupted') {
    super('interrupted', message, { exitCode: 130 });
  }
}

/** Throws InterruptedError when the signal has fired; call between units of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new InterruptedError();
  }
}

/**
 * Whether `test` holds for the error or any error in its `cause` chain (a DuckDB or Node error
 * an mdq error wraps). A non-Error value is tested once and ends the chain.
 */
export function someCause(error: unknown, test: (error: unknown) => boolean): boolean {
  for (let e = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    if (test(e)) {
      return true;
    }
    if (!(e instanceof Error)) {
      break;
    }
  }
  return false;
}
