/**
 * The `mdq` library: everything the CLI does, callable from code. The collector alone is
 * `mdq/collect` (no DuckDB); this entry point adds the query side.
 */
export * from './collect/index.js';
export { ENV_VARS, type Env } from './config.js';
export {
  ConfigError,
  InterruptedError,
  MdqError,
  type MdqErrorOptions,
  QueryError,
  StorageError,
  UsageError,
} from './errors.js';
export * from './layout/index.js';
export { type Database, type OpenDatabaseOptions, openDatabase } from './query/database.js';
export { type DatabaseSummary, describeDatabase } from './query/describe.js';
export {
  type DiscoverOptions,
  discoverStreams,
  listBlobsInRange,
  type StreamFilter,
  streamDays,
} from './query/discover.js';
export {
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  exportToPath,
  exportToStore,
} from './query/export.js';
export {
  type PullOptions,
  type PullProgress,
  type PullResult,
  pull,
} from './query/pull/index.js';
export { type Cell, type QueryStream, queryRows, streamQuery } from './query/run.js';
export { summariseSource } from './query/source-summary.js';
export * from './store/index.js';
