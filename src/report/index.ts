export { buildReport, type ReportOptions } from './build-report.js';
export { DEFAULT_THRESHOLDS, METRICS, parseThresholds } from './thresholds.js';
export type * from './types.js';
export { parseDayRange } from './windows.js';
