import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeResult } from '../../cli/render/output.js';
import { InterruptedError } from '../../src/errors.js';
import { type Database, openDatabase } from '../../src/query/database.js';
import { type QueryStream, streamQuery } from '../../src/query/run.js';
import { makeTmpDir } from '../helpers/tmp.js';

let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let db: Database;
beforeAll(async () => {
  tmp = await makeTmpDir();
  db = await openDatabase(`${tmp.path}/s.duckdb`);
});
afterAll(async () => {
  db?.close();
  await tmp?.cleanup();
});

/** Counts the chunks a writer has pulled from DuckDB so far. */
function counting(stream: QueryStream): { stream: QueryStream; pulled: () => number } {
  let pulled = 0;
  return {
    pulled: () => pulled,
    stream: {
      columns: stream.columns,
      async *chunks() {
        for await (const chunk of stream.chunks()) {
          pulled += 1;
          yield chunk;
        }
      },
    },
  };
}

/** A consumer that holds every write until released: a pipe nobody reads yet. */
function stalledSink() {
  const held: (() => void)[] = [];
  let isReleased = false;
  let bytes = 0;
  let firstWrite: () => void = () => undefined;
  const wroteOnce = new Promise<void>((resolve) => {
    firstWrite = resolve;
  });
  const sink = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      firstWrite();
      if (isReleased) {
        callback();
      } else {
        held.push(callback);
      }
    },
  });
  return {
    sink,
    wroteOnce,
    bytes: () => bytes,
    release() {
      isReleased = true;
      for (const callback of held.splice(0)) {
        callback();
      }
    },
  };
}

test('CSV of a large result is pulled from DuckDB only as fast as the consumer drains it', async () => {
  const rows = 1_000_000;
  const query = counting(
    await streamQuery(db.connection, `select range as n, 'row ' || range as s from range(${rows})`),
  );
  const consumer = stalledSink();
  const done = writeResult(query.stream, consumer.sink, { format: 'csv' });

  await consumer.wroteOnce;
  // Let every pending callback run: a writer without backpressure would keep pulling here.
  for (let turn = 0; turn < 20; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(query.pulled()).toBeLessThanOrEqual(2);

  consumer.release();
  const summary = await done;
  expect(summary.rowsWritten).toBe(rows);
  // header + every row: n,row n
  let expectedBytes = 'n,s\n'.length;
  for (let n = 0; n < rows; n += 1) {
    expectedBytes += 2 * String(n).length + ',row \n'.length;
  }
  expect(consumer.bytes()).toBe(expectedBytes);
});

test('an abort while DuckDB prepares or runs a long query ends it with InterruptedError', async () => {
  const controller = new AbortController();
  // DuckDB computes an aggregate before the first chunk, so the run is already under way here;
  // the abort also lands before execution starts, the case where one interrupt() is lost.
  const reading = (async () => {
    const query = await streamQuery(db.connection, 'select sum(range) from range(1000000000000)', {
      signal: controller.signal,
    });
    for await (const _chunk of query.chunks()) {
      // never reached
    }
  })();
  controller.abort();
  await expect(reading).rejects.toBeInstanceOf(InterruptedError);
  // The connection is usable afterwards.
  const after = await streamQuery(db.connection, 'select 1 as one');
  const rows = [];
  for await (const chunk of after.chunks()) {
    rows.push(...chunk);
  }
  expect(rows).toEqual([[1]]);
});
