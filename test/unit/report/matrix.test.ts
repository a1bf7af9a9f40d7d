import { expect } from 'chai';
import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { buildMatrix, cellKey, cellIdOf, cellSlug, compareWithBaseline, parseResultsJson, type Cell } from '../../../harness/report/matrix.js';
import { MAX_LISTED, renderMatrixSummary } from '../../../harness/report/matrixSummary.js';
import { renderMergedJunit } from '../../../harness/report/mergedJunit.js';
import { renderResultsJson } from '../../../harness/report/resultsJson.js';
import { runReportFixture } from './runReportFixture.js';
import { Xmllint } from './xmllint.js';

/** A one-cluster run of `cni` on `k8s` whose tests end as `statuses` (suite `basic`, tests t0, t1...). */
function cellReport(cni: string, version: string, k8s: string, statuses: ReadonlyArray<TestOutcome['status'] | 'flaky'>): RunReport {
  return {
    runId: `r-${cni}`,
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: k8s,
    clusters: [{ name: 'main', kindName: 'kconn-x-main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: [
      {
        name: 'basic',
        file: 'suites/basic.yaml',
        durationMs: 1000,
        tests: statuses.map((s, i) => ({
          suite: 'basic',
          name: `t${i}`,
          status: s === 'flaky' ? 'pass' : s,
          ...(s === 'flaky' ? { flaky: true } : {}),
          ...(s === 'fail' ? { expected: 'blocked', observed: 'connected' } : {}),
          ...(s === 'error' ? { message: 'exec failed' } : {}),
          ...(s === 'skip' ? { message: 'requires networkPolicy' } : {}),
          durationMs: 10,
          attempts: s === 'flaky' ? 2 : 1,
          results: [],
        })),
      },
    ],
  };
}

function matrix(...reports: RunReport[]): Cell[] {
  const m = buildMatrix(reports.map((report, i) => ({ origin: `dir${i}/results.json`, report })));
  if (!m.ok) throw new Error(m.problem);
  return m.value;
}

describe('report merge: cells and baseline (harness/report/matrix.ts)', () => {
  it('a cell is its topology, CNI (per cluster when they differ) and Kubernetes version', () => {
    expect(cellKey(cellIdOf(cellReport('calico', 'v3.32.1', 'v1.35.8', [])))).to.equal('default / calico v3.32.1 / v1.35.8');
    expect(cellIdOf(runReportFixture()).cni).to.equal('east=calico v3.32.1, west=flannel v0.28.9');
    expect(cellSlug('default / calico v3.32.1 / v1.35.8')).to.equal('default-calico-v3.32.1-v1.35.8');
  });

  it('reads back what resultsJson writes, and says what is wrong with anything else', () => {
    const parsed = parseResultsJson(renderResultsJson(runReportFixture()), 'a/results.json');
    expect(parsed.ok).to.equal(true);
    if (parsed.ok) expect(parsed.value.suites.map((s) => s.name)).to.deep.equal(['basic', 'network-policy', 'empty']);
    expect(parseResultsJson('{', 'x.json')).to.deep.include({ ok: false });
    const doc = JSON.parse(renderResultsJson(runReportFixture())) as { schemaVersion: number; suites: Array<{ tests: Array<{ status: string }> }> };
    doc.suites[0]!.tests[0]!.status = 'passed';
    expect(parseResultsJson(JSON.stringify(doc), 'x.json')).to.deep.equal({ ok: false, problem: 'x.json: suites[0].tests[0].status: expected pass, fail, error, skip or expected-difference, found "passed"' });
    doc.schemaVersion = 2;
    expect(parseResultsJson(JSON.stringify(doc), 'x.json')).to.deep.include({ ok: false });
  });

  it('orders cells by key and refuses two results of one cell', () => {
    const cells = matrix(cellReport('flannel', 'v0.28.9', 'v1.35.8', ['pass']), cellReport('calico', 'v3.32.1', 'v1.35.8', ['fail', 'flaky']));
    expect(cells.map((c) => c.key)).to.deep.equal(['default / calico v3.32.1 / v1.35.8', 'default / flannel v0.28.9 / v1.35.8']);
    expect(cells[0]!.counts).to.deep.equal({ passed: 1, failed: 1, errors: 0, skipped: 0, unsupported: 0, differences: 0, flaky: 1, total: 2 });
    const twice = buildMatrix([
      { origin: 'a', report: cellReport('calico', 'v3.32.1', 'v1.35.8', []) },
      { origin: 'b', report: cellReport('calico', 'v3.32.1', 'v1.35.8', []) },
    ]);
    expect(twice).to.deep.equal({ ok: false, problem: 'two results for cell default / calico v3.32.1 / v1.35.8: a and b' });
  });

  it('against a baseline: new failures (also of tests the baseline lacks), fixed, still failing, flaky, missing cells', () => {
    const before = matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', ['pass', 'fail', 'fail', 'skip']), cellReport('cilium', '1.19.7', 'v1.35.8', ['pass']));
    const now = matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', ['fail', 'pass', 'error', 'error', 'flaky', 'fail']));
    const diff = compareWithBaseline(now, before);
    const names = (refs: ReadonlyArray<{ test: string }>) => refs.map((r) => r.test);
    expect(names(diff.newFailures)).to.deep.equal(['t0', 't3', 't5']);
    expect(names(diff.fixed)).to.deep.equal(['t1']);
    expect(names(diff.stillFailing)).to.deep.equal(['t2']);
    expect(names(diff.flaky)).to.deep.equal(['t4']);
    expect(diff.missingCells).to.deep.equal(['default / cilium 1.19.7 / v1.35.8']);
    expect(diff.newFailures[0]).to.deep.equal({ cell: 'default / calico v3.32.1 / v1.35.8', suite: 'basic', test: 't0', status: 'fail', detail: 'expected blocked, observed connected' });
  });
});

describe('report merge: summary.md', () => {
  it('new failures come before the table of cells; then fixed, still failing, flaky', () => {
    const before = matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', ['pass', 'fail', 'fail']));
    const now = matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', ['fail', 'pass', 'fail', 'flaky']), cellReport('flannel', 'v0.28.9', 'v1.35.8', ['pass', 'skip']));
    const text = renderMatrixSummary(now, compareWithBaseline(now, before));
    const at = (s: string) => text.indexOf(s);
    expect(text.split('\n')[0]).to.equal('## kconn matrix: FAILED');
    expect(text).to.contain('2 cells: 3 passed, 2 failed, 0 errors, 1 flaky, 1 skipped; against the baseline: 1 new failure, 1 fixed');
    expect(at('### New failures (1)')).to.be.greaterThan(0);
    expect(at('### New failures')).to.be.lessThan(at('| cell | passed |'));
    expect(text).to.contain('| ❌ default / calico v3.32.1 / v1.35.8 | 2 | 2 | 0 | 1 | 0 |');
    expect(text).to.contain('| ✅ default / flannel v0.28.9 / v1.35.8 | 1 | 0 | 0 | 0 | 1 |');
    expect(at('### Fixed (1)')).to.be.greaterThan(at('| cell | passed |'));
    expect(at('### Still failing (1)')).to.be.greaterThan(at('### Fixed (1)'));
    expect(text).to.contain('- `default / calico v3.32.1 / v1.35.8` basic › t0: expected blocked, observed connected');
  });

  it('without a baseline it lists failures and flakes; lists are capped; markup and pipes are escaped', () => {
    const many = matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', Array.from({ length: MAX_LISTED + 5 }, () => 'fail' as const)));
    const text = renderMatrixSummary(many);
    expect(text).to.contain(`### Failures (${MAX_LISTED + 5})`);
    expect(text).to.contain('- … and 5 more (see junit.xml)');
    expect(text).to.not.contain('New failures');
    const fixture = matrix(runReportFixture());
    const withMarkup = renderMatrixSummary(fixture);
    expect(withMarkup).to.contain('connected HTTP 200 backend echo-1 &lt;&amp;&gt;'.replace('&amp;', '&'));
    expect(withMarkup).to.not.match(/<&>/);
    expect(renderMatrixSummary(matrix(cellReport('calico', 'v3.32.1', 'v1.35.8', ['pass'])))).to.match(/^## kconn matrix: passed\n/);
  });
});

describe('report merge: merged JUnit', () => {
  const xmllint = new Xmllint();
  after(() => xmllint.cleanup());
  // Rendered inside each test, never in the describe body: a mutation run activates a mutant per test.
  const merged = (): string => renderMergedJunit(matrix(runReportFixture(), cellReport('calico', 'v3.32.1', 'v1.36.4', ['pass', 'fail']), cellReport('flannel', 'v0.28.9', 'v1.36.4', ['skip'])));

  it('is valid against the JUnit XSD', async () => {
    const { valid, output } = await xmllint.validate(merged());
    expect(valid, output).to.equal(true);
  });

  it('one testsuite per cell and suite, named by the cell, with the cell as properties and unique ids', async () => {
    const xml = merged();
    expect(await xmllint.xpathString(xml, 'count(/testsuites/testsuite)')).to.equal('5');
    expect(await xmllint.xpathString(xml, 'string(/testsuites/testsuite[1]/@name)')).to.equal('default / calico v3.32.1 / v1.36.4 / basic');
    expect(await xmllint.xpathString(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="cell.cni"]/@value)')).to.equal('calico v3.32.1');
    expect(await xmllint.xpathString(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="cell.kubernetesVersion"]/@value)')).to.equal('v1.36.4');
    expect(await xmllint.xpathString(xml, 'string(/testsuites/testsuite[1]/testcase[2]/@classname)')).to.equal('default / calico v3.32.1 / v1.36.4 / basic');
    expect(await xmllint.xpathString(xml, 'string(/testsuites/testsuite[3]/properties/property[@name="cell"]/@value)')).to.equal('east-west / east=calico v3.32.1, west=flannel v0.28.9 / v1.35.8');
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => xmllint.xpathString(xml, `string(/testsuites/testsuite[${i}]/@id)`)));
    expect(ids).to.deep.equal(['0', '1', '2', '3', '4']);
    // Totals over every cell: fixture 7 tests (1 failed, 1 error, 2 skipped), calico 2 (1 failed), flannel 1 skipped.
    expect(await xmllint.xpathString(xml, 'concat(/testsuites/@tests, " ", /testsuites/@failures, " ", /testsuites/@errors, " ", /testsuites/@skipped)')).to.equal('10 2 1 3');
  });

  it("keeps each cell's failure text as its own junit.xml has it", async () => {
    const xml = merged();
    const failure = await xmllint.xpathString(xml, 'string(//testcase[@name="echo is blocked by policy"]/failure/@message)');
    expect(failure).to.match(/^expected blocked/);
  });
});
