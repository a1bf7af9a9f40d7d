import { expect } from 'chai';
import { renderMatrixSummary } from '../../../harness/report/matrixSummary.js';
import { summaryDiff, summaryNow } from './summaryGoldenFixture.js';

/** summary.md pinned whole (reviewed by hand): verdict, totals, the table (not supported apart from skipped), every list, escaping, the cut of a long detail. */
describe('summary.md, pinned whole (harness/report/matrixSummary.ts)', () => {
  it('without a baseline: totals, the table of cells, failures and flakes', () => {
    expect(renderMatrixSummary(summaryNow())).to.equal(EXPECTED_PLAIN);
  });

  it('against a baseline: new failures before the table, then fixed, still failing, flaky and the cells that are gone; a failure that is not supported now is none of them', () => {
    expect(renderMatrixSummary(summaryNow(), summaryDiff())).to.equal(EXPECTED_BASELINE);
  });
});

const EXPECTED_PLAIN = [
  '## kconn matrix: FAILED',
  '',
  '2 cells: 4 passed, 2 failed, 1 error, 1 flaky, 1 skipped, 1 not supported',
  '',
  '| cell | passed | failed | errors | flaky | skipped | not supported | expected differences |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  '| ❌ default / calico v3.32.1 / v1.35.8 | 3 | 2 | 1 | 1 | 1 | 0 | 0 |',
  '| ✅ default / flannel v0.28.9 / v1.35.8 | 1 | 0 | 0 | 0 | 0 | 1 | 0 |',
  '',
  '### Failures (3)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t2: expected blocked, observed connected',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › a &lt;b&gt; c: expected reachable, observed observed xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t4: exec \\| failed',
  '',
  '### Flaky (1)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t1: passed after 2 attempts',
  '',
].join('\n');

const EXPECTED_BASELINE = [
  '## kconn matrix: FAILED',
  '',
  '2 cells: 4 passed, 2 failed, 1 error, 1 flaky, 1 skipped, 1 not supported; against the baseline: 2 new failures, 1 fixed',
  '',
  '### New failures (2)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › a &lt;b&gt; c: expected reachable, observed observed xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t4: exec \\| failed',
  '',
  '| cell | passed | failed | errors | flaky | skipped | not supported | expected differences |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  '| ❌ default / calico v3.32.1 / v1.35.8 | 3 | 2 | 1 | 1 | 1 | 0 | 0 |',
  '| ✅ default / flannel v0.28.9 / v1.35.8 | 1 | 0 | 0 | 0 | 0 | 1 | 0 |',
  '',
  '### Fixed (1)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t6',
  '',
  '### Still failing (1)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t2: expected blocked, observed connected',
  '',
  '### Flaky (1)',
  '',
  '- `default / calico v3.32.1 / v1.35.8` net\\|pol › t1: passed after 2 attempts',
  '',
  'Cells of the baseline not in this run: `default / cilium 1.19.1 / v1.35.8`',
  '',
].join('\n');
