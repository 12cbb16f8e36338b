import { rm } from 'node:fs/promises';
import pLimit from 'p-limit';
import { DEFAULT_CONCURRENCY } from '../../config.js';
import { InterruptedError, StorageError } from '../../errors.js';
import { withRetry } from '../../store/retry.js';
import { openDatabase } from '../database.js';
import { diskFullError, isDiskFull } from '../disk-full.js';
import { loadStreams, nextBlobId, streamVersion } from './blobs.js';
import { ColumnRegistry } from './column-registry.js';
import { summariseLabels } from './labels-summary.js';
import { migrateLegacyTables } from './legacy-tables.js';
import { loadBatch } from './load-batch.js';
import { dismissQuarantined, ensureManifest, readManifest } from './manifest.js';
import { matchWhereMissing } from './match-all.js';
import { DEFAULT_MEMORY_LIMITS, MemoryBudget, memoryLimitSetting } from './memory-budget.js';
import { noteNewDatabase, removeNewDatabase } from './new-database.js';
import { planPull } from './plan.js';
import { rememberRoles } from './role-map.js';
import { IN_MEMORY_LIMIT, type StagedFile, stageBlob } from './stage.js';
import { StagedQueue } from './staged-queue.js';
import { StagingDir } from './staging-dir.js';
import { StagingMemory } from './staging-memory.js';
import type {
  PlannedBlob,
  PullOptions,
  PullProgress,
  PullResult,
  QuarantinedBlob,
} from './types.js';
import { ensureViews } from './views.js';
import { WriteBlocks } from './write-blocks.js';

const DEFAULT_BATCH_BLOBS = 1000;
/**
 * Bytes per load transaction. Large: DuckDB pays for every INSERT that leaves partly filled row
 * groups (the next checkpoint rewrites them), so many small INSERTs cost up to twice as much
 * as a few large ones (staged-queue.ts). A batch is one INSERT per table; the INSERT streams,
 * so its size costs disk, not memory.
 */
const DEFAULT_BATCH_BYTES = 512 * 1024 * 1024;
/**
 * The first batch is half as large: DuckDB idles until it is staged, and starting it sooner
 * is worth one more INSERT (1 GB pull: 10.5 s -> 9.6 s; a quarter was no better). It starts
 * sooner still once small blobs fill the in-memory staging: a pull of ~1 MB blobs is bound by
 * the main thread staging them, which left ~20% of the CPU idle until the first load (700 MB
 * pull: medians 7.08 -> 6.73 s, 4 interleaved pairs). Large blobs never stage in memory, and
 * for them a small first batch cost more than it saved (5.4-5.8 s against 5.75-5.8 s with
 * 64 MiB).
 */
const FIRST_BATCH_BYTES = DEFAULT_BATCH_BYTES / 2;
/**
 * Staged bytes allowed to wait for the loader before downloads pause: two batches, so the next
 * one downloads while one loads, and the staging disk stays bounded whatever the pull's size.
 */
const MAX_PENDING_BYTES = 2 * DEFAULT_BATCH_BYTES;
/** Blobs from this size on count as large: few of them download at once (see below). */
const LARGE_BLOB_BYTES = 4 * 1024 * 1024;
/**
 * Concurrent downloads of large blobs. Each already streams at the store's pace; more at once
 * only make every one of them finish later (the loader idles meanwhile) and hold more buffers.
 */
const MAX_LARGE_DOWNLOADS = 4;
const DISK_FULL_HINT =
  'free space there (a pull stages up to ~1 GiB beside the database while it loads), then run the same pull again: it resumes';
/** Small blobs staged in memory at most (staging-memory.ts); the rest stage to files. */
const MAX_STAGED_IN_MEMORY_BYTES = 64 * 1024 * 1024;

/**
 * `mdq pull` as a library call: lists the selection, downloads new and changed blobs
 * concurrently into `<db>.staging/`, loads them in transactional batches (rows + manifest
 * together), recreates the views. Throws MdqError (InterruptedError when `signal` fires; the
 * batches committed so far stay, and the next pull completes the job).
 */
export async function pull(options: PullOptions): Promise<PullResult> {
  const started = Date.now();
  const progress: PullProgress = {
    phase: 'listing',
    streams: 0,
    blobsListed: 0,
    blobsSkipped: 0,
    blobsToLoad: 0,
    bytesToLoad: 0,
    blobsDownloaded: 0,
    bytesDownloaded: 0,
    blobsLoaded: 0,
    rowsLoaded: 0,
    quarantined: 0,
    batchesCommitted: 0,
    elapsedMs: 0,
  };
  const emit = () => options.onProgress?.({ ...progress, elapsedMs: Date.now() - started });
  emit();
  const memoryLimits = options.memory ?? DEFAULT_MEMORY_LIMITS;
  // A pull that commits nothing leaves nothing it created (new-database.ts).
  const created = noteNewDatabase(options.dbPath);
  const db = await openDatabase(options.dbPath, {
    memoryLimit: memoryLimitSetting(memoryLimits.initialBytes),
  });
  const connection = db.connection;
  // Rows carry their own order (_row, counted while staging): DuckDB need not keep insertion
  // order, which lets the INSERTs stream within the memory limit.
  await connection.run('SET preserve_insertion_order = false');
  const staging = new StagingDir(db.path);
  // Our own controller: a fatal download error stops the other downloads too.
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  const rowsByTable: Record<string, number> = {};
  const quarantined: QuarantinedBlob[] = [];
  const vanished: string[] = [];
  try {
    await staging.reset();
    await ensureManifest(connection);
    const migrating = () => {
      progress.phase = 'migrating';
      emit();
    };
    await migrateLegacyTables(connection, migrating);
    await matchWhereMissing(connection, migrating);
    progress.phase = 'listing';
    const roles = await rememberRoles(connection, options.roles);
    const manifest = await readManifest(connection, options.source);
    const registries = new Map<string, ColumnRegistry>();
    const registryFor = (table: string) => {
      let registry = registries.get(table);
      if (!registry) {
        registry = new ColumnRegistry();
        registries.set(table, registry);
      }
      return registry;
    };
    const queue = new StagedQueue(MAX_PENDING_BYTES);
    const memory = new MemoryBudget(connection, memoryLimits);
    const inMemoryCap = options.batch?.maxInMemoryBytes ?? MAX_STAGED_IN_MEMORY_BYTES;
    const stagingMemory = new StagingMemory(inMemoryCap);
    const writeBlocks = new WriteBlocks();
    // rejectOnClear: queued downloads must settle when a failure clears the queue.
    const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    const limit = pLimit({ concurrency, rejectOnClear: true });
    const largeLimit = pLimit({
      concurrency: Math.min(concurrency, MAX_LARGE_DOWNLOADS),
      rejectOnClear: true,
    });
    const limits = [limit, largeLimit];
    const downloads: Array<Promise<void>> = [];
    // Each blob downloads as soon as it is listed: listing a month of small blobs took ~0.6 s
    // of a 2.8 s pull before the first download. Azurite serves both from one thread, so the
    // bench gains nothing; through 30 ms round trips, 3,000 blobs pulled ~10% faster.
    const streams = await loadStreams(connection);
    const planning = planPull(options.store, options, manifest, {
      signal,
      firstBlobId: await nextBlobId(connection),
      streamOf: (path) => streams(path.service, path.model, streamVersion(path)),
      roles,
      onListed: (listed, streams) => {
        progress.blobsListed = listed;
        progress.streams = streams;
        emit();
      },
      onPlanned: (planned) => {
        progress.blobsToLoad += 1;
        progress.bytesToLoad += planned.blob.size;
        const task = download(planned);
        task.catch(stopAll); // at once: the listing must stop too, and no rejection goes unheard
        downloads.push(task);
      },
    });
    /** A failed download or listing stops everything; the loader rethrows the first error. */
    function stopAll(error: unknown): void {
      clearQueues(limits);
      controller.abort();
      queue.fail(error);
    }
    // The queue closes once every blob is listed and downloaded.
    const downloaded = planning
      .then(async (plan) => {
        Object.assign(progress, {
          phase: 'downloading',
          streams: plan.streams.length,
          blobsListed: plan.listed,
          blobsSkipped: plan.skipped,
        });
        emit();
        await Promise.all(downloads);
        queue.close();
        return plan;
      })
      .catch((error: unknown) => {
        stopAll(error);
        return undefined;
      });
    function download(planned: PlannedBlob): Promise<void> {
      return (planned.blob.size >= LARGE_BLOB_BYTES ? largeLimit : limit)(async () => {
        await queue.waitForRoom();
        if (signal.aborted) {
          return;
        }
        try {
          const staged = await withRetry(
            () =>
              stageBlob(planned, {
                store: options.store,
                staging,
                registryFor,
                signal,
                memory: stagingMemory,
                blocks: writeBlocks,
                onBytes: (bytes) => {
                  progress.bytesDownloaded += bytes;
                },
              }),
            { signal, isRetriable: isRetriable },
          );
          progress.blobsDownloaded += 1;
          emit();
          queue.push(staged);
        } catch (error) {
          if (error instanceof StorageError && error.code === 'blob-not-found') {
            vanished.push(planned.blob.name); // deleted since listing: nothing to load
            return;
          }
          throw error;
        }
      });
    }

    const maxBlobs = options.batch?.maxBlobs ?? DEFAULT_BATCH_BLOBS;
    const batchBytes = (first: boolean) =>
      options.batch?.maxBytes ?? (first ? FIRST_BATCH_BYTES : DEFAULT_BATCH_BYTES);
    try {
      for (;;) {
        const first = progress.batchesCommitted === 0;
        const batch = await queue.take({
          maxBlobs,
          maxBytes: batchBytes(first),
          // The first batch also starts once small blobs fill the in-memory staging (no room
          // for one more): see FIRST_BATCH_BYTES.
          ...(first ? { maxInMemoryBytes: Math.max(1, inMemoryCap - IN_MEMORY_LIMIT) } : {}),
        });
        if (batch === undefined) {
          break;
        }
        const outcome = await memory.run(() =>
          loadBatch(connection, options.source, batch, staging),
        );
        queue.release(batch);
        await removeStaged(batch, stagingMemory);
        for (const [table, rows] of outcome.rowsByTable) {
          rowsByTable[table] = (rowsByTable[table] ?? 0) + rows;
          progress.rowsLoaded += rows;
        }
        for (const staged of outcome.files) {
          if (staged.quarantine === undefined) {
            progress.blobsLoaded += 1;
          } else {
            quarantined.push({ blob: staged.planned.blob.name, reason: staged.quarantine });
            progress.quarantined += 1;
          }
        }
        progress.batchesCommitted += 1;
        emit();
        if (options.signal?.aborted) {
          break;
        }
      }
    } catch (error) {
      controller.abort();
      clearQueues(limits);
      await downloaded; // the listing has stopped too, so no more downloads start
      await Promise.allSettled(downloads);
      if (options.signal?.aborted) {
        throw new InterruptedError();
      }
      throw isDiskFull(error) ? diskFullError(error, db.path, DISK_FULL_HINT) : error;
    }
    const plan = await downloaded;
    await Promise.allSettled(downloads);
    if (plan === undefined) {
      // Only an interruption ends the loader without an error while the listing failed.
      throw new InterruptedError();
    }
    progress.phase = 'finishing';
    emit();
    const dismissed = options.dismissQuarantined ? plan.stillQuarantined : [];
    await dismissQuarantined(
      connection,
      options.source,
      dismissed.map((quarantine) => quarantine.blob),
    );
    await ensureViews(connection);
    const labels = await summariseLabels(connection, options, rowsByTable.labels ?? 0);
    if (options.signal?.aborted) {
      throw new InterruptedError();
    }
    progress.phase = 'done';
    emit();
    return {
      dbPath: db.path,
      source: options.source,
      streams: plan.streams.length,
      identifiers: new Set(plan.streams.map((stream) => stream.identifier)).size,
      models: new Set(plan.streams.map((stream) => `${stream.model}\u0000${stream.modelVersion}`))
        .size,
      blobsListed: plan.listed,
      blobsSkipped: plan.skipped,
      blobsLoaded: progress.blobsLoaded,
      bytesDownloaded: progress.bytesDownloaded,
      rowsByTable,
      quarantined,
      stillQuarantined: options.dismissQuarantined ? [] : plan.stillQuarantined,
      dismissed,
      vanished,
      ...(labels === undefined ? {} : { labels }),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await staging.remove().catch(() => undefined);
    db.close();
    // Nothing committed: a failure, or nothing to load (an empty range). Either way the file
    // holds no data, and an empty database would make `mdq sql` say "no such table".
    if (created !== undefined && progress.batchesCommitted === 0) {
      await removeNewDatabase(created);
    }
  }
}

function clearQueues(limits: ReadonlyArray<{ clearQueue(): void }>): void {
  for (const limit of limits) {
    limit.clearQueue();
  }
}

function isRetriable(error: unknown): boolean {
  if (error instanceof StorageError) {
    return error.isTransient;
  }
  // A download stream cut midway surfaces as a plain socket error.
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

/** A loaded batch's staged rows go: files removed, memory given back for more small blobs. */
async function removeStaged(batch: readonly StagedFile[], memory: StagingMemory): Promise<void> {
  for (const staged of batch) {
    if (staged.chunks !== undefined) {
      memory.give(staged.planned.blob.size);
    }
  }
  await Promise.all(
    batch.map((staged) =>
      staged.file === undefined ? undefined : rm(staged.file, { force: true }),
    ),
  );
}
