/**
 * Where encoded rows go: a day (v2: hour) folder, a file stem and the header every blob of that
 * stem starts with. Blob names are derived from the stem by `blobName`, so the writer can roll
 * over or step aside (header mismatch) without the encoders knowing.
 */
export interface BlobTarget {
  /** `…/<yyyy>/<mm>/<dd>/` (v2: `…/<HH>/`), ending in '/'. */
  folder: string;
  /** `data` (Workbench), `<designation>` (AKS), the 32-hex instance id (v2). */
  stem: string;
  naming: 'csv' | 'jsonl';
  /** The bytes every blob of this target starts with: the CSV header line, '' for JSONL. */
  header: string;
}

export function targetKey(target: BlobTarget): string {
  return `${target.folder}\u0000${target.stem}\u0000${target.header}`;
}

/**
 * The n-th blob of a stem. CSV: `data.csv`, `data-1.csv`, ... (the reader accepts `data*.csv`
 * and `<designation>*.csv`); JSONL: `<stem><6-digit sequence>.jsonl`, the v2 sidecar's naming.
 */
export function blobName(target: BlobTarget, stem: string, n: number): string {
  if (target.naming === 'jsonl') {
    return `${target.folder}${stem}${String(n).padStart(6, '0')}.jsonl`;
  }
  return `${target.folder}${stem}${n === 0 ? '' : `-${n}`}.csv`;
}
