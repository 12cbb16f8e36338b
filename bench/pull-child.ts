/**
 * Child process for the peak-RSS measurement: runs one `mdq pull` (the same library call as
 * scenarios/mdq-pull.ts) and prints `{"maxRssBytes":…,"seconds":…}` on stdout. Spawned by
 * scenarios/pull-rss.ts as `node --import tsx bench/pull-child.ts '<json>'`.
 */
import type { Archive } from './archive.js';
import { runMdqPull } from './scenarios/mdq-pull.js';

interface ChildArgs {
  connectionString: string;
  archive: Archive;
  dbPath: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const baselineRss = process.resourceUsage().maxRSS * 1024;
const { seconds } = await runMdqPull(
  { connectionString: args.connectionString, archive: args.archive },
  args.dbPath,
);
// maxRSS is in kilobytes (getrusage), the whole life of this process.
process.stdout.write(
  `${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, baselineRss, seconds })}\n`,
);
