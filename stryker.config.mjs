// StrykerJS over kconn's pure modules with the unit tests: `npm run test:mutation` (all of them, for people),
// `npm run test:mutation -- --mutate 'harness/plan/**/*.ts'` (a part), `npm run test:mutation:core` (the trust core,
// with a break threshold: CI). Reports: reports/mutation/mutation.json and mutation.html.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  // mocha's `node-option` (.mocharc.json) is not applied inside Stryker's workers: tsx is loaded here instead, plus
  // the resolve shim that lets mocha-runner 10.0.0 load mocha 12.0.x (see stryker/mocha12-cli.mjs).
  testRunnerNodeArgs: ['--import', 'tsx'],
  mochaOptions: { spec: ['test/unit/**/*.test.ts'] },
  coverageAnalysis: 'perTest',
  // A mutant in code run at module load ("static") needs a fresh worker that loads every unit test again (~40 s here):
  // the full run has ~1900 of them (hours on 2 cores), so it skips them (reported as Ignored). The core config runs them.
  ignoreStatic: true,
  // No type checker: tsx strips types, so a mutant that does not type-check is simply run (and almost always killed).
  checkers: [],
  mutate: [
    'harness/model/**/*.ts',
    'harness/load/**/*.ts',
    'harness/plan/**/*.ts',
    'harness/cni/**/*.ts',
    'harness/mesh/**/*.ts',
    'harness/probe/kinds/**/*.ts',
    'harness/probe/batchScript.ts',
    'harness/probe/parseBatchOutput.ts',
    'harness/run/verdict.ts',
    'harness/run/answerSpread.ts',
    'harness/run/binomialRange.ts',
    'harness/run/nodePortTargets.ts',
    'harness/run/expectedDifferences.ts',
    'harness/report/**/*.ts',
  ],
  ignorePatterns: ['dist', 'reports', '.tools', '.kconn'],
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['json', 'html', 'clear-text', 'progress'],
  clearTextReporter: { reportTests: false, reportMutants: true, reportScoreTable: true },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Inside reports/ (ignored by git, eslint and the sandbox copy), removed after the run.
  tempDirName: 'reports/mutation/.stryker-tmp',
  concurrency: 2,
  timeoutMS: 10000,
  thresholds: { high: 85, low: 75, break: null },
};
