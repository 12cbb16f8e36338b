import type { Reporter, TestModule } from 'vitest/node';

/** Prints the plain closing line CI reads: `N passed, N failed`. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) {
        failed += 1; // a file that failed to load counts as a failure
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') {
          passed += 1;
        } else if (state === 'failed') {
          failed += 1;
        }
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
