import { MAX_APPEND_BYTES } from '../store/blob-store.js';
import type { AppendWriter, Batch } from './append-writer.js';
import { splitAtRowEnds } from './row-ends.js';
import type { SpooledBatch } from './spool.js';

/**
 * The part of a claimed spool batch that is not in storage yet, as a batch that records each
 * append in the spool before sending it. What an earlier try sent and never heard back about
 * (the file's progress record, else the range its process was sending when it ended) is read
 * back first: equal bytes there mean it landed, and it is not sent again. A payload above one
 * append (only from older versions) is cut at row ends; a row above one append throws
 * RowTooLargeError.
 */
export async function resumeBatch(writer: AppendWriter, item: SpooledBatch): Promise<Batch> {
  const payload = Buffer.from(item.payload);
  const progress = item.progress ?? { done: 0, inDoubt: item.meta.inDoubt };
  let done = progress.done;
  const doubt = progress.inDoubt;
  if (doubt !== undefined) {
    const sent = payload.subarray(done, done + doubt.length);
    if (await writer.isStoredAt(doubt.blob, doubt.offset, sent)) {
      done += sent.length;
    }
  }
  const rest = payload.subarray(done);
  const batch: Batch = {
    key: item.meta.key,
    target: item.meta.target,
    chunks:
      rest.length === 0
        ? []
        : rest.length <= MAX_APPEND_BYTES
          ? [{ text: rest.toString('utf8'), bytes: rest.length, rows: item.meta.rows }]
          : splitAtRowEnds(rest, item.meta.target.naming, MAX_APPEND_BYTES),
    beforeSend: (inDoubt) => item.record({ done: payload.length - bytesOf(batch.chunks), inDoubt }),
  };
  return batch;
}

function bytesOf(chunks: readonly { bytes: number }[]): number {
  let bytes = 0;
  for (const chunk of chunks) {
    bytes += chunk.bytes;
  }
  return bytes;
}
