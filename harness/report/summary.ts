import type { RunReport, TestOutcome } from '../model/runReport.js';

/** How many tests ended which way. `flaky` counts passes that needed a retry; they are also in `passed`. */
export interface RunCounts {
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
  readonly skipped: number;
  readonly flaky: number;
  readonly total: number;
}

/** Counts a list of test outcomes (one suite, or several). */
export function countTests(tests: readonly TestOutcome[]): RunCounts {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  let skipped = 0;
  let flaky = 0;
  for (const t of tests) {
    switch (t.status) {
      case 'pass':
        passed++;
        if (t.flaky) flaky++;
        break;
      case 'fail':
        failed++;
        break;
      case 'error':
        errors++;
        break;
      case 'skip':
        skipped++;
        break;
    }
  }
  return { passed, failed, errors, skipped, flaky, total: tests.length };
}

/** Counts every test of every suite of a run. */
export function summarize(report: RunReport): RunCounts {
  return countTests(report.suites.flatMap((s) => s.tests));
}

/** One line for people: `12 passed, 1 failed, 0 errors, 3 skipped (1 flaky)`. */
export function formatSummary(counts: RunCounts): string {
  const line = `${counts.passed} passed, ${counts.failed} failed, ${counts.errors} ${counts.errors === 1 ? 'error' : 'errors'}, ${counts.skipped} skipped`;
  return counts.flaky > 0 ? `${line} (${counts.flaky} flaky)` : line;
}
