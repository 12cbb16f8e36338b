/**
 * `mdq/collect`: the embedded collector on its own. Importing this loads no DuckDB, yargs, ink or
 * React (the Azure SDK only when Azure is the destination).
 */
export { type CollectorState, type CollectorStats, ModelDataCollector } from './collector.js';
export {
  type CorrelationContext,
  currentCorrelation,
  runWithCorrelation,
} from './correlation.js';
export type { DropEvent } from './delivery.js';
export type { CollectFormat, ModelDataCollectorOptions } from './options.js';
