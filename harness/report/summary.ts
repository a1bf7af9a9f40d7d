import { isUnsupported, type RunReport, type TestOutcome } from '../model/runReport.js';

/**
 * How many tests ended which way. `flaky` counts passes that needed a retry; they are also in `passed`. `unsupported`
 * counts skips because the cluster lacks a capability the suite requires (not supported); they are also in `skipped`.
 * `differences` counts expected differences (failures a known difference of the CNI version explains): in no other
 * count.
 */
export interface RunCounts {
  readonly passed: number;
  readonly failed: number;
  readonly errors: number;
  readonly skipped: number;
  readonly unsupported: number;
  readonly differences: number;
  readonly flaky: number;
  readonly total: number;
}

/** Counts a list of test outcomes (one suite, or several). */
export function countTests(tests: readonly TestOutcome[]): RunCounts {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  let skipped = 0;
  let unsupported = 0;
  let differences = 0;
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
        if (isUnsupported(t)) unsupported++;
        break;
      case 'expected-difference':
        differences++;
        break;
    }
  }
  return { passed, failed, errors, skipped, unsupported, differences, flaky, total: tests.length };
}

/** The message of a skipped test in the reports: `not supported: <reason>` when the cluster lacks what the suite requires. */
export function skipMessage(t: Pick<TestOutcome, 'status' | 'skipKind' | 'message'>): string | undefined {
  if (!isUnsupported(t)) return t.message;
  return t.message === undefined ? 'not supported' : `not supported: ${t.message}`;
}

/** Counts every test of every suite of a run. */
export function summarize(report: RunReport): RunCounts {
  return countTests(report.suites.flatMap((s) => s.tests));
}

/**
 * One line for people: `12 passed, 1 failed, 0 errors, 3 skipped (1 flaky)`; `, 1 not supported` (apart from skipped)
 * and `, 2 expected differences` when there are.
 */
export function formatSummary(counts: RunCounts): string {
  const unsupported = counts.unsupported > 0 ? `, ${counts.unsupported} not supported` : '';
  const differences = counts.differences > 0 ? `, ${counts.differences} ${counts.differences === 1 ? 'expected difference' : 'expected differences'}` : '';
  const line = `${counts.passed} passed, ${counts.failed} failed, ${counts.errors} ${counts.errors === 1 ? 'error' : 'errors'}, ${counts.skipped - counts.unsupported} skipped${unsupported}${differences}`;
  return counts.flaky > 0 ? `${line} (${counts.flaky} flaky)` : line;
}
