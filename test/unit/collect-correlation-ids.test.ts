import { expect, test, vi } from 'vitest';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function freshModule() {
  vi.resetModules();
  return import('../../src/collect/correlation-ids.js');
}

test('generated correlation ids are UUID v4-shaped and never repeat within a process', async () => {
  const { newCorrelationId } = await freshModule();
  const ids = Array.from({ length: 5_000 }, () => newCorrelationId());
  for (const id of ids) {
    expect(id).toMatch(UUID_V4);
  }
  // Crosses many 256-id boundaries, where the cached head is reformatted.
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids[0]?.slice(-12)).toBe('000000000000');
  expect(ids[256]?.slice(-12)).toBe('000000000100');
  expect(ids[4_999]?.slice(-12)).toBe('000000001387');
});

test('two processes (fresh module states) draw different random parts', async () => {
  const first = (await freshModule()).newCorrelationId();
  const second = (await freshModule()).newCorrelationId();
  expect(first.slice(0, 24)).not.toBe(second.slice(0, 24));
  expect(first.slice(-12)).toBe(second.slice(-12));
});
