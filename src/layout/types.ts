/** The three Azure ML collector generations mdq writes and reads (formats.md §1–3). */
export type LayoutKind = 'workbench' | 'aks' | 'v2';

export const LAYOUT_KINDS: readonly LayoutKind[] = ['workbench', 'aks', 'v2'];

/**
 * One stream: everything above the date folders. Field meaning per layout:
 * - workbench: `<subscription>/<resourceGroup>/<account>/<service>/<modelId>-<model>-<modelVersion>/<identifier>/`
 * - aks:       `<subscription>/<resourceGroup>/<workspace>/<service>/<model>/<modelVersion>/<identifier>/`
 *              (identifier = designation)
 * - v2:        `modelDataCollector/<service>/<model>/<identifier>/`
 *              (service = endpoint, model = deployment, identifier = collection; the model
 *              version lives in each event, so `modelVersion` is '' here)
 */
export interface StreamPath {
  layout: LayoutKind;
  /** workbench/aks: `<subscription>/<resourceGroup>/<account or workspace>`; v2: `modelDataCollector`. */
  root: string;
  service: string;
  model: string;
  modelVersion: string;
  /** Workbench only: the model id part of `<modelId>-<model>-<modelVersion>` ('unknown' by default). */
  modelId?: string;
  identifier: string;
}

/** A UTC calendar day. */
export interface Day {
  year: number;
  month: number;
  day: number;
}

/** One blob, parsed. */
export interface BlobPath extends StreamPath {
  day: Day;
  /** v2 only (hour folders). */
  hour?: number;
  fileName: string;
}

export const V2_ROOT = 'modelDataCollector';
