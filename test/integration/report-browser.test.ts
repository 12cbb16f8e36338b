import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase } from '../../src/query/database.js';
import { runMdq } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';

/**
 * The HTML page in a real browser: Debian's chromium, driven by playwright-core (never its own
 * browser download). .ci/run installs chromium when it is missing.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Browser-side code, as text: the test's TypeScript has no DOM types. Per chart: its marks
 * (Vega's `role-mark` groups) that have a drawn extent.
 */
const DRAWN_MARKS = `[...document.querySelectorAll('figure.chart')].map((figure) => ({
  name: figure.getAttribute('data-chart'),
  drawn: [...figure.querySelectorAll('g.role-mark > path, g.role-mark > line')].filter((mark) => {
    const box = mark.getBBox();
    return box.width > 0 || box.height > 0;
  }).length,
}))`;

/** Distinct colours and the share of non-white pixels of a PNG, drawn on a canvas. */
const INK = (dataUrl: string) => `(async () => {
  const image = new Image();
  image.src = ${JSON.stringify(dataUrl)};
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] + data[i + 1] + data[i + 2] < 600) inked += 1;
  }
  return { colours: colours.size, inked: inked / (data.length / 4) };
})()`;

let dir: { path: string; cleanup: () => Promise<void> };
let page: string;
let browser: BrowserContext;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  dir = await makeTmpDir('mdq-report-browser-');
  const dbPath = join(dir.path, 'mdq.duckdb');
  const db = await openDatabase(dbPath);
  try {
    // Two weeks of 60 rows a day: x drifts upwards, c gains a category (markup, which must
    // show as text: were it markup, the CSP would log the blocked image as a console error),
    // labels join scored.
    await db.connection.run(`CREATE TABLE scored AS
      SELECT 'shop' AS _service, DATE '2024-03-01' + CAST(d AS INTEGER) AS _date, 0 AS _row,
        d || '-' || i AS _correlation_id,
        (i % 10) * 0.5 + CASE WHEN d >= 7 THEN d * 0.2 ELSE 0 END AS x,
        ['red', 'green', 'blue', CASE WHEN d = 13 THEN '<img src=x>' ELSE 'red' END][i % 4 + 1] AS c,
        CASE WHEN i % 3 = 0 THEN 'cat' ELSE 'dog' END AS prediction,
        true AS _matched, i % 2 = 0 AS _labeled,
        CASE WHEN i % 5 = 0 THEN 'cat' ELSE 'dog' END AS animal
      FROM range(14) t(d), range(60) u(i)`);
    await db.connection.run(
      'CREATE TABLE inputs AS SELECT _service, _date, _row, _correlation_id, x, c FROM scored',
    );
    await db.connection.run(
      'CREATE TABLE predictions AS SELECT _service, _date, _row, _correlation_id, prediction FROM scored',
    );
    await db.connection.run(
      'CREATE TABLE labels AS SELECT _service, _date, _row, _correlation_id, animal FROM scored',
    );
  } finally {
    db.close();
  }
  page = join(dir.path, 'report.html');
  const result = await runMdq(['report', '--db', dbPath, '--out', page], { cwd: dir.path });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain(`wrote ${page}`);
  browser = await chromium.launchPersistentContext(join(dir.path, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
  });
});

afterAll(async () => {
  await browser?.close();
  await dir?.cleanup();
});

test('the page opens with no console error and no request but itself; every chart has marks', async () => {
  const tab = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  tab.on('console', (message) => {
    if (message.type() === 'error') {
      errors.push(message.text());
    }
  });
  tab.on('pageerror', (error) => errors.push(error.message));
  tab.on('request', (request) => requests.push(request.url()));
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  const charts = (await tab.evaluate(DRAWN_MARKS)) as Array<{ name: string; drawn: number }>;
  expect(errors).toEqual([]);
  expect(requests).toEqual([pathToFileURL(page).href]);
  expect(charts.map((chart) => chart.name)).toEqual(
    expect.arrayContaining([
      'requests',
      'prediction-mix',
      'performance',
      'distribution-x',
      'daily-x',
      'distribution-c',
      'daily-c',
    ]),
  );
  for (const chart of charts) {
    expect(chart.drawn, `chart ${chart.name} has no drawn marks`).toBeGreaterThan(0);
  }
  const verdicts = await tab.$$eval('ul.verdicts li.fail', (items) =>
    items.map((item) => item.textContent),
  );
  expect(verdicts.join('\n')).toMatch(/data drift · x — normalized wasserstein distance/);
  expect(
    await tab.locator('article.column p', { hasText: 'New in the target' }).textContent(),
  ).toBe('New in the target: <img src=x>');
  expect(await tab.locator('img').count()).toBe(0);

  // Not blank: the screenshot, drawn on a canvas in a blank tab, has many colours and ink.
  const shot = await tab.screenshot({ fullPage: true });
  const blank = await browser.newPage();
  const ink = (await blank.evaluate(INK(`data:image/png;base64,${shot.toString('base64')}`))) as {
    colours: number;
    inked: number;
  };
  expect(ink.colours).toBeGreaterThan(50);
  expect(ink.inked).toBeGreaterThan(0.01);
  await Promise.all([tab.close(), blank.close()]);
});

test('dark mode: a dark page, and the charts’ axis text follows it', async () => {
  const tab = await browser.newPage();
  await tab.emulateMedia({ colorScheme: 'dark' });
  await tab.goto(pathToFileURL(page).href);
  const colours = await tab.evaluate(`({
    background: getComputedStyle(document.body).backgroundColor,
    axis: getComputedStyle(document.querySelector('figure.chart .role-axis-label text')).fill,
  })`);
  expect(colours).toEqual({ background: 'rgb(20, 20, 20)', axis: 'rgb(208, 208, 208)' });
  await tab.close();
});

test('--out never overwrites a file mdq did not write; its own page it replaces', async () => {
  const mine = join(dir.path, 'notes.html');
  await writeFile(mine, '<p>my notes</p>');
  const refused = await runMdq(['report', '--db', join(dir.path, 'mdq.duckdb'), '--out', mine], {
    cwd: dir.path,
  });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('exists and is not an mdq report: not overwriting it');
  expect(await readFile(mine, 'utf8')).toBe('<p>my notes</p>');
  const again = await runMdq(['report', '--db', join(dir.path, 'mdq.duckdb'), '--out', page], {
    cwd: dir.path,
  });
  expect(again.code, again.stderr).toBe(0);
});
