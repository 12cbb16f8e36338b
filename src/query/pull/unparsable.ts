/**
 * A blob's content cannot be read as its format says. Caught per blob: the blob is quarantined
 * (recorded in the manifest with this reason) and the pull goes on with the others.
 */
export class UnparsableBlobError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnparsableBlobError';
  }
}
