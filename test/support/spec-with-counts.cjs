// Mocha's spec reporter, plus (when KCONN_MOCHA_JSON names a folder) a JSON file with the run's counts,
// which .ci/run adds up into the plain "N passed, N failed" line CI reads.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class SpecWithCounts extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const dir = process.env.KCONN_MOCHA_JSON;
      if (!dir) return;
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `mocha-${process.pid}-${Date.now()}.json`);
      fs.writeFileSync(file, JSON.stringify({ stats: runner.stats }, null, 2));
    });
  }
}

module.exports = SpecWithCounts;
