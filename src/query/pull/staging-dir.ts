import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The folder downloads are staged in while they load: `<db>.staging/` beside the database.
 * Local names are hashes of the blob name, so no blob name (`../x`, absolute, odd characters)
 * can place a file anywhere else. Stale content from a killed pull is removed at the start:
 * the database lock guarantees no other pull is using it.
 */
export class StagingDir {
  readonly path: string;

  constructor(dbPath: string) {
    this.path = `${dbPath}.staging`;
  }

  async reset(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
    await mkdir(this.path, { recursive: true });
  }

  fileFor(blobName: string): string {
    const hash = createHash('sha256').update(blobName).digest('hex').slice(0, 40);
    return join(this.path, `${hash}.csv`);
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
