import { expect, test } from 'vitest';
import { modulesLoadedBy } from '../helpers/module-probe.js';

// Every `mdq` start-up loads the CLI with all its commands; what it loads there, every command
// pays for (`mdq sql` ~0.24 -> 0.16 s without these). The Azure SDK is loaded by resolveStore
// for an Azure source only; ink and React by pull only when it draws on a terminal.
const DEFERRED = /\/node_modules\/(@azure\/|ink\/|react\/|react-reconciler\/)/;

test('loading the CLI (every command) loads neither the Azure SDK nor ink and React', () => {
  const cli = modulesLoadedBy('../../cli/run-cli.ts', import.meta.url);
  expect(cli.stderr).toBe('');
  expect(cli.loaded.some((url) => url.includes('/cli/commands/pull.ts'))).toBe(true);
  expect(cli.loaded.filter((url) => DEFERRED.test(url))).toEqual([]);
  // The probe does see them when they load.
  const azure = modulesLoadedBy('../../src/store/azure-store.ts', import.meta.url);
  expect(azure.loaded.some((url) => url.includes('/node_modules/@azure/storage-blob/'))).toBe(true);
  const ink = modulesLoadedBy('../../cli/render/progress.tsx', import.meta.url);
  expect(ink.loaded.some((url) => url.includes('/node_modules/ink/'))).toBe(true);
});
