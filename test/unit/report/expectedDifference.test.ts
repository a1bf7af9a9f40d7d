import { expect } from 'chai';
import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { renderJunitXml } from '../../../harness/report/junitXml.js';
import { buildMatrix, compareWithBaseline, differenceText, failuresOf, parseResultsJson, type Cell } from '../../../harness/report/matrix.js';
import { renderMatrixPage, squareDetail, stateOf, worstOf } from '../../../harness/report/matrixPage.js';
import { renderMatrixSummary } from '../../../harness/report/matrixSummary.js';
import { renderMergedJunit } from '../../../harness/report/mergedJunit.js';
import { renderResultsJson } from '../../../harness/report/resultsJson.js';
import { countTests, formatSummary, summarize } from '../../../harness/report/summary.js';
import { Xmllint } from './xmllint.js';

const SOURCE = 'https://docs.cilium.io/en/stable/network/kubernetes/policy/';
const DIFFERENCE = { id: 'cilium-ipblock-pod-ip', cni: 'cilium 1.19.1', reason: 'Cilium does not match ipBlock against <pod> IPs', source: SOURCE };

function outcome(over: Partial<TestOutcome>): TestOutcome {
  return { suite: 'netpol-ipblock', name: 't', status: 'pass', durationMs: 5, attempts: 1, results: [], ...over };
}

const differing = outcome({
  name: 'x/a -> x/b tcp/80',
  cluster: 'main',
  status: 'expected-difference',
  expected: 'reachable',
  observed: 'timeout',
  reproduce: 'kubectl exec a -- nc -z 10.10.2.20 80',
  attempts: 2,
  difference: DIFFERENCE,
});

function report(cni: string, version: string, tests: TestOutcome[]): RunReport {
  return {
    runId: 'abc123',
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [{ name: 'main', kindName: 'kconn-abc123-main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: [{ name: 'netpol-ipblock', file: 'suites/netpol-ipblock.yaml', durationMs: 10, tests }],
  };
}

function cells(...reports: RunReport[]): Cell[] {
  const m = buildMatrix(reports.map((r, i) => ({ origin: `c${i}/results.json`, report: r })));
  if (!m.ok) throw new Error(m.problem);
  return m.value;
}

describe('expected differences in every report (harness/report/)', () => {
  const xmllint = new Xmllint();
  after(() => xmllint.cleanup());

  it('are counted apart: neither passed, failed, errored nor skipped; the summary line names them only when there are some', () => {
    const r = report('cilium', '1.19.1', [outcome({}), differing, outcome({ status: 'fail' }), differing]);
    expect(summarize(r)).to.deep.equal({ passed: 1, failed: 1, errors: 0, skipped: 0, unsupported: 0, differences: 2, flaky: 0, total: 4 });
    expect(formatSummary(summarize(r))).to.equal('1 passed, 1 failed, 0 errors, 0 skipped, 2 expected differences');
    expect(formatSummary(countTests([differing]))).to.equal('0 passed, 0 failed, 0 errors, 0 skipped, 1 expected difference');
  });

  it('results.json keeps the status and the difference (id, cni, reason, source in that order) and reads back', () => {
    const json = renderResultsJson(report('cilium', '1.19.1', [differing]));
    const doc = JSON.parse(json) as { summary: Record<string, number>; suites: Array<{ tests: Array<Record<string, unknown>> }> };
    const t = doc.suites[0]!.tests[0]!;
    expect(t['status']).to.equal('expected-difference');
    expect(Object.keys(t)).to.deep.equal(['suite', 'name', 'cluster', 'status', 'expected', 'observed', 'reproduce', 'durationMs', 'attempts', 'difference', 'results']);
    expect(Object.keys(t['difference'] as object)).to.deep.equal(['id', 'cni', 'reason', 'source']);
    expect(doc.summary['differences']).to.equal(1);
    const back = parseResultsJson(json, 'c/results.json');
    expect(back.ok).to.equal(true);
  });

  it('a results.json with an expected difference that does not say which is refused, naming the field', () => {
    const doc = JSON.parse(renderResultsJson(report('cilium', '1.19.1', [differing]))) as { suites: Array<{ tests: Array<Record<string, unknown>> }> };
    const problem = 'c.json: suites[0].tests[0].difference: an expected difference needs its id, cni, reason and source (strings)';
    for (const broken of [undefined, 'cilium', { ...DIFFERENCE, source: 3 }, { id: 'x', cni: 'c', reason: 'r' }]) {
      doc.suites[0]!.tests[0]!['difference'] = broken;
      expect(parseResultsJson(JSON.stringify(doc), 'c.json')).to.deep.equal({ ok: false, problem });
    }
  });

  it('JUnit: not a failure, not a skip; the reason and source are the test output; valid against the XSD', async () => {
    const xml = renderJunitXml(report('cilium', '1.19.1', [differing, outcome({ name: 'ok' })]));
    const { valid, output } = await xmllint.validate(xml);
    expect(valid, output).to.equal(true);
    expect(xml).to.contain('<testsuites name="kconn" tests="2" failures="0" errors="0" skipped="0"');
    expect(xml).not.to.match(/<failure|<error|<skipped/);
    const out = await xmllint.xpathString(xml, 'string(//testcase[@name="x/a -> x/b tcp/80"]/system-out)');
    expect(out.split('\n').slice(0, 7)).to.deep.equal([
      'expected difference cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against <pod> IPs',
      `source: ${SOURCE}`,
      'expected: reachable',
      'observed: timeout',
      'cluster: main',
      'attempts: 2',
      'reproduce: kubectl exec a -- nc -z 10.10.2.20 80',
    ]);
    const bare = renderJunitXml(report('cilium', '1.19.1', [outcome({ status: 'expected-difference' })]));
    expect(await xmllint.xpathString(bare, 'string(//system-out)')).to.match(/^expected difference: \(not recorded\)\nsource: \(not recorded\)\nexpected: \(not recorded\)\nobserved: \(not recorded\)\n/);
  });

  it('merged JUnit counts them as tests, never as failures', () => {
    const xml = renderMergedJunit(cells(report('cilium', '1.19.1', [differing])));
    expect(xml).to.contain('<testsuites name="kconn matrix" tests="1" failures="0" errors="0" skipped="0"');
  });

  it('the matrix lists them apart from failures, never as new failures or fixes', () => {
    const now = cells(report('cilium', '1.19.1', [differing]));
    const found = failuresOf(now);
    expect(found.failing).to.deep.equal([]);
    expect(found.differences).to.deep.equal([
      { cell: 'default / cilium 1.19.1 / v1.35.8', suite: 'netpol-ipblock', test: 'x/a -> x/b tcp/80', status: 'expected-difference', detail: differenceText(differing) },
    ]);
    expect(differenceText(differing)).to.equal(`cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against <pod> IPs; observed timeout; source ${SOURCE}`);
    expect(differenceText(outcome({ status: 'expected-difference' }))).to.equal('expected difference (not recorded); observed (not recorded)');
    const failedBefore = cells(report('cilium', '1.19.1', [{ ...differing, status: 'fail' }]));
    const diff = compareWithBaseline(now, failedBefore);
    expect(diff.newFailures).to.deep.equal([]);
    expect(diff.fixed).to.deep.equal([]);
    expect(diff.stillFailing).to.deep.equal([]);
    expect(compareWithBaseline(failedBefore, now).newFailures.map((r) => r.test)).to.deep.equal(['x/a -> x/b tcp/80']);
  });

  it('summary.md: a column in the table, the total, and a section with reason and source as a link', () => {
    const md = renderMatrixSummary(cells(report('cilium', '1.19.1', [differing, outcome({ name: 'ok' })]), report('calico', 'v3.32.1', [outcome({})])));
    expect(md).to.contain('## kconn matrix: passed');
    expect(md).to.contain('2 cells: 2 passed, 0 failed, 0 errors, 0 flaky, 0 skipped, 1 expected difference\n');
    expect(md).to.contain('| cell | passed | failed | errors | flaky | skipped | not supported | expected differences |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(md).to.contain('| ✅ default / cilium 1.19.1 / v1.35.8 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |');
    expect(md).to.contain('| ✅ default / calico v3.32.1 / v1.35.8 | 1 | 0 | 0 | 0 | 0 | 0 | 0 |');
    expect(md).to.contain(
      `### Expected differences, not failures (1)\n\n- \`default / cilium 1.19.1 / v1.35.8\` netpol-ipblock › x/a -&gt; x/b tcp/80: cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against &lt;pod&gt; IPs ([source](${SOURCE}))\n`,
    );
    const none = renderMatrixSummary(cells(report('calico', 'v3.32.1', [outcome({})])));
    expect(none).not.to.contain('Expected differences');
    expect(none).to.contain('1 cell: 1 passed, 0 failed, 0 errors, 0 flaky, 0 skipped\n');
  });

  it('summary.md: a source that is not an http(s) link is text; the list is capped', () => {
    const odd = { ...differing, difference: { ...DIFFERENCE, source: 'javascript:alert(1)' } };
    expect(renderMatrixSummary(cells(report('cilium', '1.19.1', [odd])))).to.contain('IPs (source javascript:alert(1))');
    const many = Array.from({ length: 17 }, (_, i) => ({ ...differing, name: `t${i}` }));
    const md = renderMatrixSummary(cells(report('cilium', '1.19.1', many)));
    expect(md).to.contain('### Expected differences, not failures (17)');
    expect(md).to.contain('› t14:');
    expect(md).not.to.contain('› t15:');
    expect(md).to.contain('- … and 2 more (see junit.xml)');
    expect(renderMatrixSummary(cells(report('cilium', '1.19.1', [{ ...differing, difference: undefined }])))).to.contain('tcp/80: reason not recorded');
  });

  it('index.html: its own square state (symbol, word, style), its detail on focus, a row with reason and source', () => {
    expect(stateOf(differing)).to.equal('difference');
    expect(worstOf(countTests([outcome({}), differing]))).to.equal('difference');
    expect(worstOf(countTests([outcome({ flaky: true }), differing]))).to.equal('flaky');
    expect(worstOf(countTests([outcome({ status: 'fail' }), differing]))).to.equal('fail');
    expect(squareDetail(differing)).to.equal(differenceText(differing));
    const html = renderMatrixPage(cells(report('cilium', '1.19.1', [differing, outcome({ name: 'ok' })])));
    expect(html).to.contain('<h1 class="verdict-passed">kconn matrix: passed</h1>');
    expect(html).to.contain('1 cell: 1 passed, 0 failed, 0 errors, 0 flaky, 0 skipped, 1 expected difference');
    expect(html).to.contain('data-suite="netpol-ipblock">≠ 1/2 passed, 1 expected difference</td>');
    expect(html).to.contain('<td class="sq difference" title="cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against &lt;pod&gt; IPs; observed timeout; source');
    expect(html).to.contain('tabindex="0">≠ expected difference</td>');
    expect(html).to.contain('<span class="difference">≠ expected difference</span>');
    expect(html).to.match(/td\.difference\{[^}]*outline:1px dashed/);
    expect(html).to.contain(
      `<tr class="difference"><td><code>default / cilium 1.19.1 / v1.35.8</code></td><td>netpol-ipblock › <span class="test-name">x/a -&gt; x/b tcp/80</span></td><td><code>cilium-ipblock-pod-ip</code> (cilium 1.19.1)</td><td>Cilium does not match ipBlock against &lt;pod&gt; IPs</td><td><a href="${SOURCE}">${SOURCE}</a></td><td>expected reachable, observed timeout</td></tr>`,
    );
    expect(html).to.contain('<caption>Results that are expected differences (1), neither passes nor failures</caption>');
    expect(html).to.contain('No test failed.');
    const none = renderMatrixPage(cells(report('calico', 'v3.32.1', [outcome({})])));
    expect(none).to.contain('<p id="difference-results">No result of these cells is an expected difference.</p>');
    expect(none).not.to.contain('expected differences</td>');
  });
});
