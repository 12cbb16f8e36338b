import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { COLLECTOR_DEFAULTS } from '../../src/collect/options.js';
import { secondsSince } from '../stats.js';
import { benchCollector } from './rows.js';

const POLL_MS = 25;
const GIVE_UP_SECONDS = 60;

/**
 * Freshness with default settings: a warm collector (its blob exists) gets one row carrying a
 * unique marker; the bench polls storage every 25 ms (list + read, as a reader would) until the
 * marker is readable. Returns seconds from collect() to readable.
 */
export async function measureFreshness(
  work: string,
  connectionString: string,
  container: ContainerClient,
): Promise<number> {
  const errors: string[] = [];
  const collector = benchCollector(
    work,
    { connectionString, container: container.containerName },
    errors,
  );
  try {
    collector.collect({ sepal_length: 1, sepal_width: 2, petal_length: 3, petal_width: 4 });
    await collector.flush();
    const marker = randomUUID();
    const start = process.hrtime.bigint();
    collector.collect(
      { sepal_length: 1, sepal_width: 2, petal_length: 3, petal_width: 4 },
      {
        correlationId: marker,
      },
    );
    while (secondsSince(start) < GIVE_UP_SECONDS) {
      if (await markerVisible(container, marker)) {
        return secondsSince(start);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`row not readable after ${GIVE_UP_SECONDS} s (${errors[0] ?? 'no error'})`);
  } finally {
    await collector.close();
  }
}

async function markerVisible(container: ContainerClient, marker: string): Promise<boolean> {
  for await (const blob of container.listBlobsFlat()) {
    const body = await container.getBlobClient(blob.name).downloadToBuffer();
    if (body.includes(marker)) {
      return true;
    }
  }
  return false;
}

export const DEFAULT_FLUSH_SECONDS = COLLECTOR_DEFAULTS.flushIntervalMs / 1000;
