import { expect, test } from 'vitest';
import { StagingMemory } from '../../src/query/pull/staging-memory.js';

test('staging memory reserves up to its cap and takes back what is given', () => {
  const memory = new StagingMemory(100);
  expect(memory.tryTake(60)).toBe(true);
  expect(memory.tryTake(50)).toBe(false); // 110 > 100: this blob stages to a file
  expect(memory.tryTake(40)).toBe(true); // exactly at the cap
  expect(memory.tryTake(1)).toBe(false);
  memory.give(60);
  expect(memory.tryTake(50)).toBe(true);
  memory.give(1000); // never below zero
  expect(memory.tryTake(100)).toBe(true);
  expect(memory.tryTake(1)).toBe(false);
});
