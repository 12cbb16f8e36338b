import { parse } from 'csv-parse/sync';
import type { BlobStore } from '../../src/store/blob-store.js';

/** Every CSV record of every blob in the store, blob by blob in listing order, file order within. */
export async function storedRecords(store: BlobStore): Promise<Record<string, string>[]> {
  const records: Record<string, string>[] = [];
  for await (const entry of store.list('')) {
    if (entry.kind === 'blob') {
      records.push(
        ...(parse(await store.readBuffer(entry.name), { columns: true }) as Record<
          string,
          string
        >[]),
      );
    }
  }
  return records;
}
