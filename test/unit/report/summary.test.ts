import { expect } from 'chai';
import { countTests, formatSummary, summarize } from '../../../harness/report/summary.js';
import { runReportFixture } from './runReportFixture.js';

describe('report summary', () => {
  it('counts every test of every suite; a flaky pass is a pass, also counted as flaky', () => {
    expect(summarize(runReportFixture())).to.deep.equal({ passed: 3, failed: 1, errors: 1, skipped: 2, differences: 0, flaky: 1, total: 7 });
  });

  it('counts one suite, and nothing', () => {
    const [basic] = runReportFixture().suites;
    expect(countTests(basic?.tests ?? [])).to.deep.equal({ passed: 2, failed: 1, errors: 1, skipped: 0, differences: 0, flaky: 1, total: 4 });
    expect(countTests([])).to.deep.equal({ passed: 0, failed: 0, errors: 0, skipped: 0, differences: 0, flaky: 0, total: 0 });
  });

  it('formats one line for people, with flaky only when there are some', () => {
    expect(formatSummary({ passed: 12, failed: 1, errors: 0, skipped: 3, differences: 0, flaky: 1, total: 16 })).to.equal('12 passed, 1 failed, 0 errors, 3 skipped (1 flaky)');
    expect(formatSummary({ passed: 2, failed: 0, errors: 1, skipped: 0, differences: 0, flaky: 0, total: 3 })).to.equal('2 passed, 0 failed, 1 error, 0 skipped');
    expect(formatSummary(summarize(runReportFixture()))).to.equal('3 passed, 1 failed, 1 error, 2 skipped (1 flaky)');
  });
});
