import { AsyncLocalStorage } from 'node:async_hooks';
import { newCorrelationId } from './correlation-ids.js';

/**
 * What ties an input row to its prediction: returned by `collect()` and passed to the next
 * collector. `timeMs` lets AKS predictions land in the input's day and v2 events share the
 * input's `time`; a hand-made context may omit it.
 */
export interface CorrelationContext {
  readonly correlationId: string;
  readonly timeMs?: number;
}

/** A context with everything filled in, and whether the id came from the user. */
export interface ResolvedCorrelation {
  correlationId: string;
  timeMs: number;
  /** The id was chosen by the caller (Workbench writes it to `$CorrelationId` too). */
  userProvided: boolean;
}

const requestScope = new AsyncLocalStorage<ResolvedCorrelation>();
/** A context this module handed out; remembers whether its id was the user's (vs. generated). */
class IssuedContext implements CorrelationContext {
  readonly correlationId: string;
  readonly timeMs: number;
  readonly #userProvided: boolean;

  constructor(resolved: ResolvedCorrelation) {
    this.correlationId = resolved.correlationId;
    this.timeMs = resolved.timeMs;
    this.#userProvided = resolved.userProvided;
  }

  static userProvided(context: CorrelationContext): boolean {
    return context instanceof IssuedContext ? context.#userProvided : true;
  }

  toJSON(): { correlationId: string; timeMs: number } {
    return { correlationId: this.correlationId, timeMs: this.timeMs };
  }
}

/**
 * Runs a request handler so that every collector called inside it (across awaits) shares one
 * correlation id: `id` when given (a request id header, say), else a fresh id (UUID-shaped).
 */
export function runWithCorrelation<T>(fn: () => T, correlationId?: string): T {
  const scope: ResolvedCorrelation = {
    correlationId: correlationId ?? newCorrelationId(),
    timeMs: Date.now(),
    userProvided: correlationId !== undefined,
  };
  return requestScope.run(scope, fn);
}

/** The context of the request being handled, when inside `runWithCorrelation`. */
export function currentCorrelation(): CorrelationContext | undefined {
  const scope = requestScope.getStore();
  return scope === undefined ? undefined : issue(scope);
}

/** Explicit context, else the request scope, else a fresh id for this call alone. */
export function resolveCorrelation(
  explicit: CorrelationContext | undefined,
  nowMs: number,
): ResolvedCorrelation {
  if (explicit !== undefined) {
    return {
      correlationId: String(explicit.correlationId),
      timeMs: typeof explicit.timeMs === 'number' ? explicit.timeMs : nowMs,
      userProvided: IssuedContext.userProvided(explicit),
    };
  }
  const scope = requestScope.getStore();
  if (scope !== undefined) {
    return scope;
  }
  return { correlationId: newCorrelationId(), timeMs: nowMs, userProvided: false };
}

/** The context handed back to the caller of `collect()`. */
export function issue(resolved: ResolvedCorrelation): CorrelationContext {
  return new IssuedContext(resolved);
}
