import { expect, test } from 'vitest';
import { WriteBlocks } from '../../src/query/pull/write-blocks.js';

test('a block given back is the next one taken; past the cap, given blocks are dropped', () => {
  const blocks = new WriteBlocks(2);
  const [a, b, c] = [blocks.take(), blocks.take(), blocks.take()];
  expect(a).toHaveLength(WriteBlocks.BYTES);
  expect(new Set([a, b, c]).size).toBe(3);
  blocks.give(a);
  blocks.give(b);
  blocks.give(c);
  expect(blocks.idle).toBe(2);
  expect(blocks.take()).toBe(b);
  expect(blocks.take()).toBe(a);
  expect(blocks.take()).not.toBe(c);
});
