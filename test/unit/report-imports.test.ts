import { expect, test } from 'vitest';
import { modulesLoadedBy } from '../helpers/module-probe.js';

// Importing Vega and Vega-Lite takes 0.7-1.1 s here: the report loads them only to draw a page,
// so no other command (nor `mdq report` without --out) pays that at start-up.
const CHARTS = /\/node_modules\/(vega|vega-lite)\//;

test('loading the CLI does not load Vega; the report page does', () => {
  const cli = modulesLoadedBy('../../cli/run-cli.ts', import.meta.url);
  expect(cli.stderr).toBe('');
  expect(cli.loaded.some((url) => url.includes('/cli/commands/report.ts'))).toBe(true);
  expect(cli.loaded.filter((url) => CHARTS.test(url))).toEqual([]);
  const page = modulesLoadedBy('../../cli/render/report/report-html.ts', import.meta.url);
  expect(page.loaded.some((url) => CHARTS.test(url))).toBe(true);
});
