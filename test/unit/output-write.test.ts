import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { write } from '../../cli/render/sink.js';
import { terminalEscaper } from '../../cli/render/terminal-escape.js';

/** A sink whose buffer is always full: every write waits for a drain, released a turn later. */
function slowSink(): Writable {
  return new Writable({
    highWaterMark: 1,
    write(_chunk, _encoding, callback) {
      setImmediate(callback);
    },
  });
}

test('waiting for drain thousands of times leaves no listener behind (no MaxListenersExceededWarning)', async () => {
  const sink = slowSink();
  const before = ['drain', 'close', 'error'].map((event) => sink.listenerCount(event));
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    for (let n = 0; n < 2000; n += 1) {
      await write(sink, `line ${n}\n`);
    }
  } finally {
    process.off('warning', onWarning);
  }
  expect(['drain', 'close', 'error'].map((event) => sink.listenerCount(event))).toEqual(before);
  expect(warnings).toEqual([]);
});

test('a write into a destroyed output fails instead of waiting forever', async () => {
  const sink = new Writable({
    highWaterMark: 1,
    write() {
      // never calls back: a reader that went away
    },
  });
  const pending = write(sink, 'x'.repeat(10));
  sink.destroy();
  await expect(pending).rejects.toThrow(/closed/);
  expect(sink.listenerCount('close')).toBe(0);
});

test('the terminal escaper keeps CSV rows and quoting, and a character split between chunks', () => {
  const csv = terminalEscaper('csv');
  const bytes = Buffer.from('a,"x\ny\u001b"\n\u202e,z\n');
  const cut = bytes.indexOf(0xe2) + 1; // inside U+202E's three bytes
  const text = csv.push(bytes.subarray(0, cut)) + csv.push(bytes.subarray(cut)) + csv.end();
  expect(text).toBe('a,"x\\ny\\x1b"\n\\u202e,z\n');
  const json = terminalEscaper('json');
  expect(json.push('{"v":"\u009b\u202e\\\\"}\n') + json.end()).toBe('{"v":"\\u009b\\u202e\\\\"}\n');
});
