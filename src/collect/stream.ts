import { UsageError } from '../errors.js';
import type { StreamPath } from '../layout/index.js';
import { V2_ROOT } from '../layout/index.js';
import type { CollectFormat, ModelDataCollectorOptions } from './options.js';

/**
 * The stream (path above the date folders) a collector writes, with the Python collectors'
 * defaults for missing ids: Workbench `unknown` everywhere; AKS `default` (its workspace string
 * lower-cased, as the collector did); v2 `default` endpoint and deployment.
 */
export function streamFor(
  modelName: string,
  format: CollectFormat,
  identifier: string,
  options: ModelDataCollectorOptions,
): StreamPath {
  segment('model name', modelName);
  segment('identifier', identifier);
  switch (format) {
    case 'workbench': {
      const unknown = (value: string | undefined, what: string) =>
        segment(what, value ?? 'unknown');
      return {
        layout: 'workbench',
        root: [
          unknown(options.subscription, 'subscription'),
          unknown(options.resourceGroup, 'resourceGroup'),
          unknown(options.account ?? options.workspace, 'account'),
        ].join('/'),
        service: unknown(options.service, 'service'),
        model: modelName,
        modelVersion: unknown(options.modelVersion, 'modelVersion'),
        modelId: unknown(options.modelId, 'modelId'),
        identifier,
      };
    }
    case 'aks': {
      const lower = (value: string | undefined, what: string) =>
        segment(what, (value ?? 'default').toLowerCase());
      return {
        layout: 'aks',
        root: [
          lower(options.subscription, 'subscription'),
          lower(options.resourceGroup, 'resourceGroup'),
          lower(options.workspace ?? options.account, 'workspace'),
        ].join('/'),
        service: segment('service', options.service ?? 'default'),
        model: modelName,
        modelVersion: segment('modelVersion', options.modelVersion ?? 'default'),
        // The designation-era collector maps `default` to `general`.
        identifier: identifier === 'default' ? 'general' : identifier,
      };
    }
    case 'v2':
      return {
        layout: 'v2',
        root: V2_ROOT,
        service: segment('service', options.service ?? 'default'),
        model: segment('deployment', options.deployment ?? 'default'),
        modelVersion: '',
        identifier,
      };
    default:
      throw new UsageError(`unknown collector format "${String(format)}"`, {
        hint: 'use format: "workbench", "aks" or "v2"',
      });
  }
}

/** A path segment must be non-empty and must not contain a slash or control character. */
function segment(what: string, value: string): string {
  if (typeof value !== 'string' || value === '.' || value === '..' || !isPlainName(value)) {
    throw new UsageError(`collector ${what} "${String(value)}" cannot be a folder name`, {
      hint: 'use a non-empty name without "/" or control characters',
    });
  }
  return value;
}

function isPlainName(value: string): boolean {
  if (value === '') {
    return false;
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x2f /* / */ || code === 0x5c /* \ */) {
      return false;
    }
  }
  return true;
}
