import { MdqError } from '../errors.js';
import { redactSecrets } from '../secrets.js';

/**
 * How the collector tells the host about problems without ever hurting it: errors become
 * secret-free MdqErrors, and a host callback that throws is contained.
 */

/** An MdqError whose message carries no secret, whatever was thrown. */
export function toSafeError(error: unknown): MdqError {
  if (error instanceof MdqError) {
    const message = redactSecrets(error.message);
    return message === error.message
      ? error
      : new MdqError(error.code, message, error.hint === undefined ? {} : { hint: error.hint });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MdqError('collector-failed', redactSecrets(message));
}

/** Host callbacks must not break the pipeline. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored on purpose: a throwing onDrop/onError is the host's bug, not a reason to lose data
  }
}
