import { BlobServiceClient } from '@azure/storage-blob';
import { expect, test } from 'vitest';
import { startAzurite } from '../helpers/azurite.js';

test('azurite starts on a free loopback port and stores a blob', async () => {
  const azurite = await startAzurite();
  try {
    const container = await azurite.createContainer();
    const client = BlobServiceClient.fromConnectionString(azurite.connectionString)
      .getContainerClient(container)
      .getBlockBlobClient('a/b.txt');
    await client.upload('hello', 5);
    expect((await client.downloadToBuffer()).toString()).toBe('hello');
    expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  } finally {
    await azurite.stop();
  }
});
