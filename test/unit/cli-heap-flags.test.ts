import { expect, test } from 'vitest';
import { heapFlagsToAdd, PULL_HEAP_FLAGS } from '../../cli/heap-flags.js';

const facts = (args: string[], execArgv: string[] = [], env: NodeJS.ProcessEnv = {}) => ({
  args,
  execArgv,
  env,
});

test('pull and demo restart with the heap flags; other commands do not', () => {
  expect(heapFlagsToAdd(facts(['pull', '--service', 'irisapp']))).toEqual(PULL_HEAP_FLAGS);
  expect(heapFlagsToAdd(facts(['--debug', 'demo']))).toEqual(PULL_HEAP_FLAGS);
  for (const args of [['sql', 'select 1'], ['export', '--out', 'x.parquet'], ['--help'], []]) {
    expect(heapFlagsToAdd(facts(args)), args.join(' ')).toEqual([]);
  }
});

test('heap flags, a debugger or an IPC channel chosen by the caller keep V8 as started', () => {
  expect(heapFlagsToAdd(facts(['pull'], ['--max-semi-space-size=8']))).toEqual([]);
  expect(heapFlagsToAdd(facts(['pull'], ['--initial_old_space_size=64']))).toEqual([]);
  expect(heapFlagsToAdd(facts(['pull'], ['--inspect-brk']))).toEqual([]);
  expect(heapFlagsToAdd(facts(['pull'], [], { NODE_OPTIONS: '--max-old-space-size=512' }))).toEqual(
    [],
  );
  expect(heapFlagsToAdd(facts(['pull'], [], { NODE_CHANNEL_FD: '3' }))).toEqual([]);
  // Unrelated Node flags (a preload, say) do not stop the restart; they are carried into it.
  expect(
    heapFlagsToAdd(facts(['pull'], ['--import', 'tsx'], { NODE_OPTIONS: '--trace-warnings' })),
  ).toEqual(PULL_HEAP_FLAGS);
});
