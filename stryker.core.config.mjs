// The trust core (run/verdict.ts, run/answerSpread.ts + binomialRange.ts, probe/kinds/): what CI checks (`npm run test:mutation:core`). The run fails
// (exit 1) when fewer than `thresholds.break` percent of its mutants are killed; uncovered mutants count as
// survivors, so a condition no test reaches fails it too.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  // The verdicts: expectation vs one probe result (verdict.ts), and tallied answers vs their exact binomial range.
  mutate: ['harness/run/verdict.ts', 'harness/run/answerSpread.ts', 'harness/run/binomialRange.ts', 'harness/probe/kinds/**/*.ts'],
  // Only the tests of the core (not the batch script's, which run bash for seconds): a mutant in code run at module
  // load needs a fresh worker, which then loads and runs just these.
  mochaOptions: { ...base.mochaOptions, spec: ['test/unit/run/verdict*.test.ts', 'test/unit/run/answerSpread.test.ts', 'test/unit/probe/!(batchScriptBash).test.ts'] },
  ignoreStatic: false,
  incrementalFile: 'reports/mutation/stryker-incremental-core.json',
  // Its own reports and sandboxes, so a core run never overwrites (or cleans up under) a full run.
  jsonReporter: { fileName: 'reports/mutation/core/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/core/mutation.html' },
  tempDirName: 'reports/mutation/.stryker-tmp-core',
  // The core scores 99-100% (the rest are equivalent mutants); the margin leaves room for new equivalent ones, not
  // for a weakened test.
  thresholds: { high: 95, low: 90, break: 95 },
};
