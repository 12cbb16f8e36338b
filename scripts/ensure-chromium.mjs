// The report's browser test (test/integration/report-browser.test.ts) drives Debian's chromium
// through playwright-core; playwright's own browser download cannot work offline. So that
// `npm ci && npm test` passes on a fresh machine, install it here when it is missing and we may
// (root, apt-get present); otherwise say exactly what to run, and fail before the tests do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    console.error(
      `mdq: the report's browser test needs ${CHROMIUM}, which is missing.\n` +
        "hint: install Debian's chromium (as root: apt-get install -y chromium), then run npm test again",
    );
    process.exit(1);
  }
  console.error(`${CHROMIUM} is missing: installing Debian's chromium (about 20 s)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}
