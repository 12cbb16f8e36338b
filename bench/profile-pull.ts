/**
 * `npm run bench:profile`: where one large `mdq pull` spends its time (scenarios/pull-profile.ts),
 * without the rest of the bench. Generates the bench's large-blob archive in Azurite and prints
 * the profile. One run: a profile, not a benchmark.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateArchive } from './archive.js';
import { startBenchAzurite } from './azurite.js';
import { profilePull } from './scenarios/pull-profile.js';
import { benchSettings } from './settings.js';

const settings = benchSettings(process.env);
const azurite = await startBenchAzurite();
const work = await mkdtemp(join(tmpdir(), 'mdq-bench-profile-'));
try {
  const archive = await generateArchive(await azurite.container('bench'), {
    days: settings.days,
    blobsPerDay: 1,
    blobBytes: settings.largeBlobBytes,
    rowsPerRequest: 100,
  });
  process.stdout.write(
    `mdq pull of ${archive.blobs} blobs, ${(archive.bytes / 1e6).toFixed(0)} MB\n`,
  );
  const lines = await profilePull(
    { connectionString: azurite.connectionString, archive },
    join(work, 'db', 'mdq.duckdb'),
    join(work, 'profiles'),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
  await azurite.stop();
}
