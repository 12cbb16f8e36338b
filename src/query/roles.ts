import { BLOBS_TABLE } from './pull/system-columns.js';

/**
 * Which table an identifier's rows load into (design.md, data model): inputs and predictions
 * have fixed role tables so `scored` can join them; anything else gets a table of its own.
 */
const ROLE_TABLES: Readonly<Record<string, string>> = {
  inputs: 'inputs',
  model_inputs: 'inputs',
  prediction: 'predictions',
  predictions: 'predictions',
  model_outputs: 'predictions',
  labels: 'labels',
};

/**
 * Names mdq owns; a custom identifier that collides gets a suffix instead of merging in.
 * `blobs` is the blob table beside the stored role tables (system-columns.ts).
 */
const RESERVED = new Set(['scored', 'mdq_manifest', 'mdq_meta', BLOBS_TABLE]);

export function tableForIdentifier(identifier: string): string {
  const role = ROLE_TABLES[identifier.toLowerCase()];
  if (role) {
    return role;
  }
  let name = identifier
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (name === '' || /^[0-9]/.test(name)) {
    name = `t_${name}`;
  }
  return RESERVED.has(name) || Object.values(ROLE_TABLES).includes(name) ? `${name}_data` : name;
}
