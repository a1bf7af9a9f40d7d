import { expect } from 'chai';
import { countTests, formatSummary, skipMessage, summarize } from '../../../harness/report/summary.js';
import { runReportFixture } from './runReportFixture.js';

describe('report summary', () => {
  it('counts every test of every suite; a flaky pass is a pass, also counted as flaky; a not supported skip is a skip, also counted as unsupported', () => {
    expect(summarize(runReportFixture())).to.deep.equal({ passed: 3, failed: 1, errors: 1, skipped: 2, unsupported: 1, differences: 0, flaky: 1, total: 7 });
  });

  it('counts one suite, and nothing', () => {
    const [basic] = runReportFixture().suites;
    expect(countTests(basic?.tests ?? [])).to.deep.equal({ passed: 2, failed: 1, errors: 1, skipped: 0, unsupported: 0, differences: 0, flaky: 1, total: 4 });
    expect(countTests([])).to.deep.equal({ passed: 0, failed: 0, errors: 0, skipped: 0, unsupported: 0, differences: 0, flaky: 0, total: 0 });
  });

  it('a skipKind counts only on a skip; the skip message says not supported', () => {
    const t = { suite: 's', name: 't', durationMs: 0, attempts: 0, results: [] };
    expect(countTests([{ ...t, status: 'skip', skipKind: 'unsupported' }, { ...t, status: 'skip' }, { ...t, status: 'pass', skipKind: 'unsupported' }])).to.deep.include({ skipped: 2, unsupported: 1, passed: 1 });
    expect(skipMessage({ status: 'skip', skipKind: 'unsupported', message: 'requires multiNode' })).to.equal('not supported: requires multiNode');
    expect(skipMessage({ status: 'skip', skipKind: 'unsupported' })).to.equal('not supported');
    expect(skipMessage({ status: 'skip', message: 'needs cluster x' })).to.equal('needs cluster x');
    expect(skipMessage({ status: 'skip' })).to.equal(undefined);
    expect(skipMessage({ status: 'error', skipKind: 'unsupported', message: 'exec failed' }), 'a kind only on a skip').to.equal('exec failed');
  });

  it('formats one line for people, with flaky, not supported and expected differences only when there are some', () => {
    expect(formatSummary({ passed: 12, failed: 1, errors: 0, skipped: 3, unsupported: 0, differences: 0, flaky: 1, total: 16 })).to.equal('12 passed, 1 failed, 0 errors, 3 skipped (1 flaky)');
    expect(formatSummary({ passed: 2, failed: 0, errors: 1, skipped: 0, unsupported: 0, differences: 0, flaky: 0, total: 3 })).to.equal('2 passed, 0 failed, 1 error, 0 skipped');
    expect(formatSummary(summarize(runReportFixture()))).to.equal('3 passed, 1 failed, 1 error, 1 skipped, 1 not supported (1 flaky)');
    expect(formatSummary({ passed: 0, failed: 0, errors: 0, skipped: 2, unsupported: 2, differences: 1, flaky: 0, total: 3 })).to.equal('0 passed, 0 failed, 0 errors, 0 skipped, 2 not supported, 1 expected difference');
  });
});
