export * from './columns.js';
export * from './days.js';
export * from './paths.js';
export * from './types.js';
