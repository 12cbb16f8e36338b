import { expect, test } from 'vitest';
import { KeyCounter } from '../../src/query/pull/key-counter.js';

/** Counts `raw` (a key as written in the CSV) in a buffer with bytes around it. */
function countRaw(counter: KeyCounter, raw: string): number {
  const buf = Buffer.from(`,,${raw},x`, 'utf8');
  return counter.count(buf, 2, 2 + Buffer.byteLength(raw));
}

test('each key counts its own rows, in any order, and agrees with a Map over 200,000 keys', () => {
  const counter = new KeyCounter();
  const reference = new Map<string, number>();
  // A deterministic shuffle of 50,000 keys, each seen 1 to 7 times, interleaved: the table
  // grows many times and probes past occupied slots.
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < 200_000; i += 1) {
    const key = `k${Math.floor(random() * 50_000)}-${'é'.repeat(i % 3)}`;
    const expected = reference.get(key) ?? 0;
    reference.set(key, expected + 1);
    expect(countRaw(counter, key)).toBe(expected);
  }
});

test('a quoted key is the same key as its text; doubled quotes inside are one quote', () => {
  const counter = new KeyCounter();
  expect(countRaw(counter, 'c1')).toBe(0);
  expect(countRaw(counter, '"c1"')).toBe(1);
  expect(countRaw(counter, 'c1')).toBe(2);
  expect(countRaw(counter, '"a""b"')).toBe(0);
  expect(counter.countText('a"b')).toBe(1);
  expect(countRaw(counter, '"a""b"')).toBe(2);
  // Keys that share a prefix or differ only in length are different keys.
  expect(countRaw(counter, 'c')).toBe(0);
  expect(countRaw(counter, 'c11')).toBe(0);
  expect(counter.countText('c1')).toBe(3);
});

test('the empty key is a key of its own', () => {
  const counter = new KeyCounter();
  expect(counter.countText('')).toBe(0);
  expect(countRaw(counter, 'x')).toBe(0);
  expect(counter.countText('')).toBe(1);
  expect(counter.count(Buffer.from('abc'), 1, 1)).toBe(2);
});

test('a released counter comes back empty, so the next blob counts from 0', () => {
  const first = KeyCounter.acquire();
  for (let i = 0; i < 5000; i += 1) {
    countRaw(first, `key-${i % 700}`);
  }
  expect(countRaw(first, 'key-1')).toBe(8);
  KeyCounter.release(first);
  const second = KeyCounter.acquire();
  expect(second).toBe(first); // reused, not reallocated
  expect(countRaw(second, 'key-1')).toBe(0);
  expect(countRaw(second, 'key-1')).toBe(1);
  for (let i = 0; i < 700; i += 1) {
    expect(countRaw(second, `key-${i}`)).toBe(i === 1 ? 2 : 0);
  }
  KeyCounter.release(second);
});
