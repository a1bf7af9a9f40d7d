// The full run without the two exhaustive shape tests of the loader (every mutation of every shipped file): a lower
// bound of every score, in minutes where the full run takes hours on 2 cores, since a survivor of load/ otherwise runs
// them all (~10 s each). `npm run test:mutation:quick -- --mutate 'harness/load/**/*.ts'`.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mochaOptions: { ...base.mochaOptions, ignore: ['test/unit/load/mutations.test.ts', 'test/unit/load/policyMutations.test.ts'] },
  incrementalFile: 'reports/mutation/stryker-incremental-quick.json',
  jsonReporter: { fileName: 'reports/mutation/quick/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/quick/mutation.html' },
  tempDirName: 'reports/mutation/.stryker-tmp-quick',
};
