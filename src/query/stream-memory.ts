import type { DuckDBConnection } from '@duckdb/node-api';
import { memoryLimitSetting } from './pull/memory-budget.js';
import { quoteLiteral } from './sql.js';

/** What DuckDB may keep beyond what its operators and scans hold while a result streams out. */
export const STREAMING_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * What one scan thread keeps pinned per stored column (a leaf: struct fields and list elements
 * count apart): the block being read and its neighbours. 256 KiB blocks, read with room to
 * spare; a cap without it failed a 52-column result ("failed to pin block", 42 MiB).
 */
export const PINNED_BYTES_PER_COLUMN = 1024 * 1024;

/**
 * DuckDB keeps every table block it reads in its buffer pool until the memory limit (80% of RAM
 * by default) forces it out: writing a 6M-row table out left ~400 MB of blocks resident that
 * would never be read again. Once the rows flow (every sort, join build and aggregate is done),
 * the limit is lowered to what DuckDB's operators hold, plus what its scan threads pin
 * (`threads × leafColumns × PINNED_BYTES_PER_COLUMN`), plus STREAMING_CACHE_BYTES: that evicts
 * the cache and nothing else (table blocks are dropped, not spilled), and is restored when the
 * result ends. Set from a second connection, as the first is busy streaming; when DuckDB cannot
 * go that low, the limit stays as it was.
 *
 * Returns the function that restores the limit and closes the connection.
 */
export async function capCacheWhileStreaming(
  openSideConnection: () => Promise<DuckDBConnection>,
  leafColumns: number,
): Promise<() => Promise<void>> {
  const side = await openSideConnection();
  const close = async () => side.closeSync();
  try {
    const reader = await side.runAndReadAll(
      `SELECT current_setting('memory_limit') AS setting,
              current_setting('threads')::BIGINT AS threads,
              coalesce(sum(memory_usage_bytes) FILTER (WHERE tag <> 'BASE_TABLE'), 0)::BIGINT AS held
       FROM duckdb_memory()`,
    );
    const [setting, threads, held] = reader.getRows()[0] ?? [];
    const pinned = Number(threads) * leafColumns * PINNED_BYTES_PER_COLUMN;
    const capBytes = Number(held) + pinned + STREAMING_CACHE_BYTES;
    if (typeof setting !== 'string' || !(capBytes < settingBytes(setting))) {
      await close();
      return async () => undefined;
    }
    const isLowered = await side
      .run(`SET memory_limit = '${memoryLimitSetting(capBytes)}'`)
      .then(() => true)
      .catch(() => false);
    if (!isLowered) {
      await close();
      return async () => undefined;
    }
    return async () => {
      await restoreLimit(side, setting).catch(() => undefined);
      await close();
    };
  } catch {
    await close();
    return async () => undefined;
  }
}

/**
 * Back to `setting`, DuckDB's text of the limit before, which is cut to one decimal (`3GB`
 * reads `2.7 GiB`). The default is restored exactly with RESET; a limit someone chose is set to
 * the middle of what its text covers (`2.75 GiB`), which reads back as the same text, so
 * statement after statement it never drifts, and stays within half a displayed step of theirs.
 */
async function restoreLimit(side: DuckDBConnection, setting: string): Promise<void> {
  await side.run('RESET memory_limit');
  const reader = await side.runAndReadAll("SELECT current_setting('memory_limit')");
  if (reader.getRows()[0]?.[0] !== setting) {
    await side.run(`SET memory_limit = ${quoteLiteral(middleOf(setting))}`);
  }
}

/** `2.7 GiB` -> `2.75 GiB`: the middle of the values DuckDB shows as that text. */
function middleOf(setting: string): string {
  const match = /^(\d+)(?:\.(\d+))?\s*(\S+)$/.exec(setting.trim());
  if (!match) {
    return setting;
  }
  const [, whole, decimals = '', unit] = match;
  return `${whole}.${decimals}5 ${unit}`;
}

const UNITS: Readonly<Record<string, number>> = {
  bytes: 1,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/** DuckDB's memory_limit text (`18.8 GiB`, `953.6 MiB`) in bytes; NaN when unreadable. */
export function settingBytes(setting: string): number {
  const match = /^([\d.]+)\s*([a-z]+)$/i.exec(setting.trim());
  const unit = match ? UNITS[(match[2] as string).toLowerCase()] : undefined;
  return match && unit ? Number(match[1]) * unit : Number.NaN;
}
