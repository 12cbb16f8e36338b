import { closeSync, constants, openSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Operators that pass rows on as they come: a plan of only these writes its first row at once
 * and holds no rows back, so DuckDB's block cache can be capped from the start (stream-memory.ts)
 * without starving a sort, join build or aggregate. Scans are recognised by name as well.
 */
const STREAMING_OPERATORS = new Set([
  'PROJECTION',
  'FILTER',
  'LIMIT',
  'STREAMING_LIMIT',
  'STREAMING_WINDOW',
  'UNNEST',
  'DUMMY_SCAN',
  'EMPTY_RESULT',
]);

/** A hash join whose build side is this small (mdq's views join the blobs table) still streams. */
const SMALL_BUILD_ROWS = 100_000;

interface PlanNode {
  name?: unknown;
  children?: unknown;
  extra_info?: { 'Estimated Cardinality'?: unknown };
}

/** Whether `select` runs as one stream of rows from its scans (EXPLAIN; nothing runs). */
export async function isStreamingPlan(
  connection: DuckDBConnection,
  select: string,
): Promise<boolean> {
  try {
    const reader = await connection.runAndReadAll(`EXPLAIN (FORMAT json) ${select}`);
    const plan = JSON.parse(String(reader.getRowsJson()[0]?.[1] ?? '[]')) as unknown;
    return Array.isArray(plan) && plan.length > 0 && plan.every(streams);
  } catch {
    return false;
  }
}

function streams(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) {
    return false;
  }
  const { name, children = [] } = node as PlanNode;
  if (typeof name !== 'string' || !Array.isArray(children) || !children.every(streams)) {
    return false;
  }
  if (name === 'HASH_JOIN') {
    // DuckDB builds the hash table of the second child before the first row comes out.
    return children.length === 2 && estimatedRows(children[1]) <= SMALL_BUILD_ROWS;
  }
  return STREAMING_OPERATORS.has(name) || name.endsWith('_SCAN') || name === 'RANGE';
}

function estimatedRows(node: unknown): number {
  const estimate = (node as PlanNode).extra_info?.['Estimated Cardinality'];
  const rows = Number(estimate);
  return estimate === undefined || !Number.isFinite(rows) ? Number.POSITIVE_INFINITY : rows;
}

/** A pipe DuckDB opens and writes itself (pipeTarget). */
export interface PipeTarget {
  path: string;
  /** Call while DuckDB runs the COPY: lets go of this process's read end once DuckDB opened. */
  whileCopying(): void;
  /** Lets go of everything held (the COPY is over, or never ran). */
  release(): void;
}

/**
 * `mdq sql … | reader`: stdout is a pipe, and DuckDB can write it itself through
 * /proc/self/fd/1, as it does a redirected file (cli/render/stdout-file.ts), instead of every
 * byte passing through a FIFO and this process (6M rows into `cat` on 2 cores: 8.3-9.1 s
 * relayed, 7.2-7.8 s direct; bench/output, `| cat`: 0.65 → 1.05 × export's rows/s). Opening a
 * pipe to write blocks while it has no reader, so a reader that is already gone (`| true`)
 * would hang DuckDB's open for ever: that is checked first ('closed'), and this process holds
 * a read end of its own until DuckDB's open is seen in /proc/self/fd, so a reader leaving in
 * between cannot hang it either. Once released, a gone reader makes DuckDB's next write fail
 * with EPIPE ("Broken pipe": isBrokenPipe).
 * Undefined where `path` is not a pipe (or not Linux): the bytes then take the FIFO.
 */
export function pipeTarget(path: string): PipeTarget | 'closed' | undefined {
  if (process.platform !== 'linux') {
    return undefined;
  }
  let inode: number;
  try {
    // A socket's /proc/self/fd link cannot be opened (ENXIO, like a pipe without a reader).
    const info = statSync(path);
    if (!info.isFIFO()) {
      return undefined;
    }
    inode = info.ino;
  } catch {
    return undefined;
  }
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENXIO' ? 'closed' : undefined;
  }
  let held: number | undefined;
  try {
    held = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const link = `pipe:[${inode}]`;
  const before = descriptorsOf(link);
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    clearInterval(timer);
    if (held !== undefined) {
      closeSync(held);
      held = undefined;
    }
  };
  return {
    path,
    whileCopying() {
      timer = setInterval(() => {
        if (descriptorsOf(link) > before) {
          release();
        }
      }, 2);
    },
    release,
  };
}

/** How many of this process's descriptors are open on the pipe `link` (`pipe:[inode]`). */
function descriptorsOf(link: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === link) {
        count++;
      }
    } catch {
      // closed while looking
    }
  }
  return count;
}

/** DuckDB's error for a write into a pipe whose reader left (`| head`). */
export function isBrokenPipe(error: unknown): boolean {
  return /Broken pipe/i.test(error instanceof Error ? error.message : String(error));
}
