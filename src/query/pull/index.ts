export { pull } from './pull.js';
export type {
  LayoutChoice,
  PullOptions,
  PullProgress,
  PullResult,
  PullSelection,
  QuarantinedBlob,
} from './types.js';
