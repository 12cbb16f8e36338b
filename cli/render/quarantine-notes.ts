import type { PullResult } from '../../src/query/pull/index.js';
import { count } from './counts.js';
import { escapeControl } from './escape.js';

/** Reasons shown per group of quarantined blobs; the manifest holds them all. */
const SHOWN = 10;

/** The query that lists quarantined blobs (`mdq ls` counts them). */
export const QUARANTINED_QUERY =
  'mdq sql "select blob, error from mdq_manifest where status = \'quarantined\'"';

/**
 * What the pull summary adds about quarantined blobs: those an earlier pull quarantined that are
 * still not loaded (a re-run loads only changed blobs, so they would otherwise go unmentioned),
 * where to see them, and how to stop counting them. Empty when there is nothing to say.
 */
export function formatQuarantineNotes(result: PullResult): string {
  const lines: string[] = [];
  const still = result.stillQuarantined;
  if (still.length > 0) {
    lines.push(
      `${count(still.length, 'blob')} quarantined by an earlier pull ${still.length === 1 ? 'is' : 'are'} unchanged and still not loaded:`,
    );
    for (const { reason } of still.slice(0, SHOWN)) {
      lines.push(`  ${escapeControl(reason)}`);
    }
    if (still.length > SHOWN) {
      lines.push(`  … and ${still.length - SHOWN} more`);
    }
  }
  if (still.length > 0 || result.quarantined.length > 0) {
    lines.push(
      `see them with mdq ls, or ${QUARANTINED_QUERY}`,
      'a quarantined blob loads once it changes; to stop counting unchanged ones, run the same pull with --dismiss-quarantined',
    );
  }
  if (result.dismissed.length > 0) {
    lines.push(
      `dismissed ${count(result.dismissed.length, 'quarantined blob')}: they stay in mdq_manifest with status 'dismissed', and load if they change`,
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
