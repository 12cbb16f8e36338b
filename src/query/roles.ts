import { BLOBS_TABLE, ROLES_TABLE } from './pull/system-columns.js';

/**
 * The roles `scored` is built from (design.md, data model): each input row joined to its own
 * prediction and its own label, on the same key.
 */
export const ROLES = ['inputs', 'predictions', 'labels'] as const;
export type Role = (typeof ROLES)[number];

/** Identifier (lower case) → role, from `--role` and remembered in the database. */
export type RoleMap = ReadonlyMap<string, Role>;

/**
 * The identifiers each collector generation gives a role by name: Workbench identifiers, AKS
 * designations (`labels`), v2 collections (`model_inputs`, `model_outputs`, and the names v2
 * users give their ground truth). Anything else gets a table of its own unless `--role` maps it.
 */
const DEFAULT_ROLES: Readonly<Record<string, Role>> = {
  inputs: 'inputs',
  model_inputs: 'inputs',
  prediction: 'predictions',
  predictions: 'predictions',
  model_outputs: 'predictions',
  labels: 'labels',
  ground_truth: 'labels',
  feedback: 'labels',
};

/**
 * Names mdq owns; a custom identifier that collides gets a suffix instead of merging in.
 * `blobs` and the role map are tables beside the stored role tables (system-columns.ts).
 */
const RESERVED = new Set(['scored', 'mdq_manifest', 'mdq_meta', BLOBS_TABLE, ROLES_TABLE]);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** An identifier's role: `roles` first (`--role`), else its name's (undefined: none). */
export function roleOfIdentifier(identifier: string, roles?: RoleMap): Role | undefined {
  const key = identifier.toLowerCase();
  return roles?.get(key) ?? DEFAULT_ROLES[key];
}

/** Which table an identifier's rows load into: its role's, else a table of its own. */
export function tableForIdentifier(identifier: string, roles?: RoleMap): string {
  const role = roleOfIdentifier(identifier, roles);
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
  return RESERVED.has(name) || isRole(name) ? `${name}_data` : name;
}
