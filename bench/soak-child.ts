/**
 * Child process for the collector soak: a fresh process holds only the collector, so its RSS
 * says what the collector does to memory (the bench process already carries DuckDB and the
 * pull scenarios). Prints the SoakResult as JSON on stdout. Spawned by collector/index.ts as
 * `node --import tsx bench/soak-child.ts '{"work":…,"seconds":…}'`.
 */
import { soakCollector } from './collector/soak.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { work: string; seconds: number };
const result = await soakCollector(args.work, args.seconds);
process.stdout.write(`${JSON.stringify(result)}\n`);
