import { randomBytes } from 'node:crypto';

/**
 * Correlation ids for calls without one: version-4-shaped UUIDs (so readers that type the column
 * as UUID still do) made of 74 random bits drawn once per process and a 48-bit counter. Unique
 * within a process by the counter; two processes share ids only if their 74 random bits match
 * (about as likely as a repeat among 2^37 random UUIDs). Several times cheaper than
 * `crypto.randomUUID()` on the hot path. Ids are sequential: they tie rows together, they are
 * not secrets.
 */
const COUNTER_LIMIT = 2 ** 48;
/** Two hex digits per byte value: the last byte of the counter, looked up instead of formatted. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let prefix = '';
let counter = COUNTER_LIMIT;
/** The id without its last two hex digits, formatted once per 256 ids. */
let head = '';

export function newCorrelationId(): string {
  if (counter >= COUNTER_LIMIT) {
    prefix = randomPrefix();
    counter = 0;
  }
  const n = counter++;
  const low = n % 256;
  if (low === 0) {
    head = `${prefix}${Math.floor(n / 256)
      .toString(16)
      .padStart(10, '0')}`;
  }
  return head + (HEX2[low] as string);
}

/** `xxxxxxxx-xxxx-4xxx-yxxx-`: 74 random bits with the version and variant of UUID v4. */
function randomPrefix(): string {
  const bytes = randomBytes(10);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-`;
}
