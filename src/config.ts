/**
 * Every environment variable mdq reads, listed once. The library never reads `process.env`
 * anywhere else: callers pass an env object (the CLI passes `process.env`), so tests and hosts
 * can configure mdq without mutating globals.
 */
export const ENV_VARS = {
  AML_MODEL_DC_STORAGE_ENABLED:
    'Collector: "true" (exactly, lower case) sends collected data to Azure Blob Storage.',
  AML_MODEL_DC_STORAGE:
    'Collector and pull: Azure Storage connection string (the Azure ML collector variable).',
  AZURE_STORAGE_CONNECTION_STRING: 'Pull/export/ls: Azure Storage connection string.',
  MDQ_SOURCE: 'Pull/ls: default source (folder, az://container, or a container URL).',
  MDQ_DB: 'sql/pull/export/ls: DuckDB database file (default ./mdq.duckdb).',
  MDQ_MODELDATA_DIR:
    'Collector: local folder written when Azure is not enabled (default ./modeldata).',
  MDQ_SPOOL_DIR:
    'Collector: local spool for batches storage could not take (default ./.mdq-spool).',
  MDQ_CONCURRENCY: 'Pull/export: concurrent blob transfers (default 16).',
  MDQ_HISTORY_FILE: 'Shell: history file (default ~/.mdq_history).',
  NO_COLOR: 'Any value turns colour off.',
  CI: 'Set by CI systems: no interactive views.',
  NODE_OPTIONS:
    "Node flags; a heap flag there (or on node's command line) keeps pull and demo from restarting under mdq's own.",
  NODE_CHANNEL_FD:
    'Set by Node when a parent forked mdq with an IPC channel: no heap-flag restart.',
} as const;

export type EnvVarName = keyof typeof ENV_VARS;
export type Env = Readonly<Partial<Record<string, string | undefined>>>;

export const DEFAULT_CONTAINER = 'modeldata';
export const DEFAULT_DB_FILE = 'mdq.duckdb';
export const DEFAULT_MODELDATA_DIR = 'modeldata';
export const DEFAULT_SPOOL_DIR = '.mdq-spool';
export const DEFAULT_CONCURRENCY = 16;

/** The process environment, for the CLI edge and for collector defaults. */
export function processEnv(): Env {
  return process.env;
}

/** The Azure ML collector switch: enabled only by the exact lower-case string "true". */
export function isCollectorStorageEnabled(env: Env): boolean {
  return env.AML_MODEL_DC_STORAGE_ENABLED === 'true';
}

/** Connection string for reading, in documented precedence order (flag handled by the caller). */
export function connectionStringFromEnv(env: Env): string | undefined {
  return nonEmpty(env.AZURE_STORAGE_CONNECTION_STRING) ?? nonEmpty(env.AML_MODEL_DC_STORAGE);
}

export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
