import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { expect, test } from 'vitest';
import { PullProgressView } from '../../cli/render/progress.js';
import {
  describeStreams,
  formatBytes,
  formatInterruptedSummary,
  formatProgressLine,
  formatPullSummary,
  PlainProgress,
} from '../../cli/render/progress-lines.js';
import { widen } from '../../src/query/pull/column-types.js';
import type { PullProgress } from '../../src/query/pull/index.js';

const progress: PullProgress = {
  phase: 'downloading',
  streams: 3,
  blobsListed: 12,
  blobsSkipped: 2,
  blobsToLoad: 10,
  bytesToLoad: 4 * 1024 * 1024,
  blobsDownloaded: 5,
  bytesDownloaded: 2 * 1024 * 1024,
  blobsLoaded: 4,
  rowsLoaded: 400,
  quarantined: 1,
  batchesCommitted: 2,
  elapsedMs: 2000,
};

test('plain progress lines say blobs, bytes, rows, rate and ETA', () => {
  expect(formatProgressLine(progress)).toBe(
    'mdq pull: downloaded 5/10 blobs, 2.0 MB/4.0 MB, loaded 4/10 blobs, 400 rows, 1 quarantined, 1.0 MB/s, ETA 2 s',
  );
  expect(formatBytes(512)).toBe('512 B');
  expect(formatProgressLine({ ...progress, phase: 'migrating' })).toMatch(
    /^mdq pull: moving the database to the current layout/,
  );
  expect(formatProgressLine({ ...progress, phase: 'listing' })).toBe(
    'mdq pull: listing: 12 blobs so far, 5 downloaded (2.0 MB)',
  );
});

test('plain progress writes at most one line a second, none for a quick pull', () => {
  let now = 0;
  const lines: string[] = [];
  const plain = new PlainProgress((text) => lines.push(text), { now: () => now });
  plain.update(progress);
  now = 999;
  plain.update(progress);
  expect(lines).toHaveLength(0);
  now = 1000;
  plain.update(progress);
  now = 1500;
  plain.update(progress);
  now = 2100;
  plain.update(progress);
  expect(lines).toHaveLength(2);
  // A migration sends nothing while it runs: its line is written at once.
  now = 2200;
  plain.update({ ...progress, phase: 'migrating' });
  expect(lines).toHaveLength(3);
  expect(lines[2]).toMatch(/moving the database/);
});

test('the summary lists rows per table, quarantined blobs, with control characters escaped', () => {
  const text = formatPullSummary({
    dbPath: '/tmp/x.duckdb',
    source: '/data',
    streams: 2,
    identifiers: 2,
    models: 1,
    blobsListed: 5,
    blobsSkipped: 1,
    blobsLoaded: 3,
    bytesDownloaded: 2048,
    rowsByTable: { predictions: 7, inputs: 9 },
    quarantined: [{ blob: 'a/b.csv', reason: 'a/b.csv ends inside a quoted field \u001b[2J' }],
    stillQuarantined: [],
    dismissed: [],
    vanished: [],
    seconds: 1.25,
  });
  expect(text).toBe(
    'mdq pull: 3 blobs loaded (2.0 KB), 1 unchanged, 2 identifiers × 1 model, 1.3 s; inputs 9 rows, predictions 7 rows\n' +
      'database: /tmp/x.duckdb\n' +
      'quarantined 1 blob that could not be parsed:\n' +
      '  a/b.csv ends inside a quoted field \\x1b[2J\n',
  );
});

test('the ink view shows the listing, download and load bars with totals, rate and ETA', () => {
  const view = render(createElement(PullProgressView, { progress }));
  const frame = view.lastFrame() ?? '';
  expect(frame).toContain('12 blobs listed, 2 unchanged');
  expect(frame).toContain('5/10 blobs, 2.0 MB/4.0 MB');
  expect(frame).toContain('4/10 blobs, 400 rows, 1 quarantined');
  expect(frame).toContain('ETA 2 s');
  view.rerender(createElement(PullProgressView, { progress: { ...progress, phase: 'listing' } }));
  // Downloads run while the listing goes on: the listing view counts them too.
  expect(view.lastFrame()).toContain('listing… 12 blobs, 5 downloaded (2.0 MB)');
  view.unmount();
});

test('the ETA is for the whole job: loads still to come count once downloads are done', () => {
  // Seen: `ETA 0.0 s` while 46 of 62 blobs still loaded.
  const loading: PullProgress = {
    ...progress,
    blobsToLoad: 62,
    blobsDownloaded: 62,
    bytesToLoad: 62 * 1024,
    bytesDownloaded: 62 * 1024,
    blobsLoaded: 16,
    quarantined: 0,
    elapsedMs: 10_000,
  };
  expect(formatProgressLine(loading)).toMatch(/, ETA 29 s$/);
  // No load committed yet: no estimate rather than a download-only one.
  expect(formatProgressLine({ ...loading, blobsLoaded: 0 })).not.toContain('ETA');
});

test('rates are rounded and long times read in hours; counts have separators and plurals', () => {
  const slow: PullProgress = {
    ...progress,
    bytesToLoad: 52_500_000,
    bytesDownloaded: 1_017_666,
    blobsToLoad: 2000,
    blobsLoaded: 1500,
    rowsLoaded: 1_234_567,
    quarantined: 0,
    elapsedMs: 2_000_000,
  };
  expect(formatProgressLine(slow)).toBe(
    'mdq pull: downloaded 5/2,000 blobs, 993.8 KB/50.1 MB, loaded 1,500/2,000 blobs, 1,234,567 rows, 509 B/s, ETA 28 h 6 min',
  );
  expect(
    formatInterruptedSummary({ ...progress, blobsLoaded: 1, rowsLoaded: 1, batchesCommitted: 1 }),
  ).toBe(
    'mdq pull: interrupted after 1 blob, 1 row committed in 1 batch; run the same pull again to finish\n',
  );
  expect(describeStreams({ streams: 3, identifiers: 2, models: 2 })).toBe(
    '3 identifier folders (2 identifiers of 2 models)',
  );
});

test('types only widen: integers to doubles, anything mixed to text', () => {
  expect(widen('BIGINT', 'DOUBLE')).toBe('DOUBLE');
  expect(widen('DOUBLE', 'BIGINT')).toBe('DOUBLE');
  expect(widen('BIGINT', 'BOOLEAN')).toBe('VARCHAR');
  expect(widen('BOOLEAN', undefined)).toBe('BOOLEAN');
  expect(widen('VARCHAR', 'BIGINT')).toBe('VARCHAR');
});
