import type { Reporter, TestCase, TestModule, TestSuite } from "vitest/node";

/**
 * A skipped test whose suite or file has errors of its own was not skipped on purpose: a hook before it failed (a
 * missing PostgreSQL or Chromium, a server that did not start), so it counts as failed.
 */
function neverRan(test: TestCase): boolean {
  for (let parent: TestSuite | TestModule = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === "module") return false;
  }
}

/** Ends the run with the one line CI reads: `N passed, N failed` (and skipped, when any). */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed" || neverRan(test)) counts.failed++;
        else counts.skipped++;
      }
      // A file that failed to load has no tests but must still fail the run.
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) counts.failed++;
    }
    counts.failed += unhandledErrors.length;
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
  }
}
