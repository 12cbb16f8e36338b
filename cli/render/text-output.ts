import type { TextResult } from '../../src/query/text-result.js';
import type { WriteResultSummary } from './output.js';
import type { Sink } from './sink.js';

/** DuckDB's text, written with backpressure; its buffers go back once the output took them. */
export async function writeText(text: TextResult, sink: Sink): Promise<WriteResultSummary> {
  // A closed pipe (`| head`) makes the CLI exit at once (process-main.ts); the exit waits for
  // the thread DuckDB writes from, so that write must not be left waiting on the pipe.
  const abandon = () => text.abandonSync();
  process.once('exit', abandon);
  try {
    for await (const chunk of text.chunks) {
      if (await sink.write(chunk)) {
        text.recycle(chunk);
      }
    }
  } catch (error) {
    text.cancel(); // the output failed: stop DuckDB rather than let it write into nothing
    await text.done.catch(() => undefined);
    throw error;
  } finally {
    process.off('exit', abandon);
  }
  const rowsWritten = await text.done;
  await sink.end();
  return { rowsWritten, rowsOmitted: 0 };
}
