import { totalmem } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isOutOfMemory } from './out-of-memory.js';

/** Where a pull's DuckDB memory_limit starts and how far it may grow, in bytes. */
export interface MemoryLimits {
  initialBytes: number;
  maxBytes: number;
}

/**
 * Start small: a load of ~20 columns streams within 128 MB, and every MB DuckDB holds is
 * resident (a pull with 256 MB peaked ~120 MB higher, for ~8% less time). Wider tables need
 * more: DuckDB buffers a segment per column per thread while it inserts (200 columns needed
 * ~192 MB with 1 thread, ~512 MB with 2), so the budget doubles when a load runs out of it.
 */
export const DEFAULT_MEMORY_LIMITS: MemoryLimits = {
  initialBytes: 128 * 1024 * 1024,
  // DuckDB's own default is 80% of RAM; mdq shares the machine with the user's work.
  maxBytes: Math.max(128 * 1024 * 1024, Math.floor(usableMemory() / 2)),
};

/**
 * The machine's memory, or the container's limit when it has a lower one (cgroups: a pod with
 * 2 GB on a 64 GB host must not let DuckDB grow to 32 GB and be killed). Unconstrained,
 * constrainedMemory() reports a huge number (or 0 on older Nodes).
 */
function usableMemory(): number {
  const total = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 ? Math.min(total, constrained) : total;
}

const MIB = 1024 * 1024;

/** Bytes as DuckDB's memory_limit setting, in whole MiB. */
export function memoryLimitSetting(bytes: number): string {
  return `${Math.floor(bytes / MIB)}MiB`;
}

/** DuckDB's memory_limit for the pull, raised (for the rest of the pull) when a load needs it. */
export class MemoryBudget {
  readonly #connection: DuckDBConnection;
  readonly #maxBytes: number;
  #bytes: number;

  constructor(connection: DuckDBConnection, limits: MemoryLimits) {
    this.#connection = connection;
    this.#bytes = limits.initialBytes;
    this.#maxBytes = limits.maxBytes;
  }

  /**
   * Runs `load` (which must leave nothing behind when it fails: one transaction, rolled back)
   * and runs it again with twice the memory each time DuckDB runs out, up to the maximum.
   */
  async run<T>(load: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await load();
      } catch (error) {
        if (!isOutOfMemory(error) || this.#bytes >= this.#maxBytes) {
          throw error;
        }
        this.#bytes = Math.min(this.#maxBytes, this.#bytes * 2);
        await this.#connection.run(`SET memory_limit = '${memoryLimitSetting(this.#bytes)}'`);
      }
    }
  }
}
