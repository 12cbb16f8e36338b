import {
  BlobServiceClient,
  type ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type Azurite,
  startAzurite,
} from '../test/helpers/azurite.js';
import { processCpuSeconds } from './cpu-seconds.mjs';

export interface BenchAzurite extends Azurite {
  service: BlobServiceClient;
  /** A fresh container and its client. */
  container(prefix: string): Promise<ContainerClient>;
  /** Read + list SAS URL of a container (what a user hands azcopy). */
  sasUrl(container: string): string;
  /** CPU seconds Azurite has used so far (cpu-seconds.mjs). */
  cpuSeconds(): number;
}

/** Azurite as a child process (test/helpers/azurite.ts), with the clients the bench needs. */
export async function startBenchAzurite(): Promise<BenchAzurite> {
  const azurite = await startAzurite();
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  return {
    ...azurite,
    service,
    async container(prefix) {
      const name = await azurite.createContainer(prefix);
      return service.getContainerClient(name);
    },
    sasUrl(container) {
      const sas = generateBlobSASQueryParameters(
        {
          containerName: container,
          permissions: ContainerSASPermissions.parse('rl'),
          expiresOn: new Date(Date.now() + 6 * 3600 * 1000),
        },
        credential,
      ).toString();
      return `${azurite.blobEndpoint}/${container}?${sas}`;
    },
    cpuSeconds: () => processCpuSeconds(azurite.pid),
  };
}
