import { expect } from 'chai';
import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { buildMatrix, compareWithBaseline, type Cell } from '../../../harness/report/matrix.js';
import { differencesForCells, esc, renderMatrixPage, squareDetail, stateOf, worstOf } from '../../../harness/report/matrixPage.js';
import { countTests } from '../../../harness/report/summary.js';

const HOSTILE = '<script>alert("x")</script> & \'q\'';

function report(cni: string, version: string, tests: Partial<TestOutcome>[], k8s = 'v1.35.8'): RunReport {
  return {
    runId: `r${cni.slice(0, 3)}`,
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: k8s,
    clusters: [{ name: 'main', kindName: 'kconn-x-main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    timings: [{ phase: 'create', cluster: 'main', ms: 30_000 }],
    suites: [
      {
        name: 'basic',
        file: 'suites/basic.yaml',
        durationMs: 1000,
        tests: tests.map((t, i) => ({ suite: 'basic', name: `t${i}`, status: 'pass', durationMs: 1, attempts: 1, results: [], ...t })),
      },
    ],
  };
}

function cells(...reports: RunReport[]): Cell[] {
  const m = buildMatrix(reports.map((r, i) => ({ origin: `d${i}/results.json`, report: r })));
  if (!m.ok) throw new Error(m.problem);
  return m.value;
}

describe('report page (harness/report/matrixPage.ts)', () => {
  it('escapes text and attribute characters and drops control characters', () => {
    expect(esc(`<a href="x">'&'</a>\x00\x1b`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('a square is its worst result; a flaky pass is not a pass', () => {
    expect(stateOf(undefined)).to.equal('none');
    expect(stateOf({ status: 'pass', flaky: true } as TestOutcome)).to.equal('flaky');
    expect(worstOf(countTests([{ status: 'pass' }, { status: 'fail' }, { status: 'error' }] as TestOutcome[]))).to.equal('error');
    expect(worstOf(countTests([{ status: 'pass' }, { status: 'fail' }] as TestOutcome[]))).to.equal('fail');
    expect(worstOf(countTests([{ status: 'skip' }] as TestOutcome[]))).to.equal('skip');
    expect(worstOf(countTests([]))).to.equal('none');
  });

  it('not supported: its own state apart from skipped, a suite of skips is not supported when one of them is, a pass still counts', () => {
    const unsupported = { status: 'skip', skipKind: 'unsupported', message: 'requires networkPolicy (flannel on cluster main lacks it)' } as TestOutcome;
    expect(stateOf(unsupported)).to.equal('unsupported');
    expect(stateOf({ status: 'skip', message: 'needs cluster east, not in topology t' } as TestOutcome)).to.equal('skip');
    expect(stateOf({ status: 'pass', skipKind: 'unsupported' } as TestOutcome), 'a kind only on a skip').to.equal('pass');
    expect(worstOf(countTests([unsupported, unsupported]))).to.equal('unsupported');
    expect(worstOf(countTests([{ status: 'skip' } as TestOutcome, unsupported]))).to.equal('unsupported');
    expect(worstOf(countTests([{ status: 'pass' } as TestOutcome, unsupported]))).to.equal('pass');
    expect(worstOf(countTests([{ status: 'fail' } as TestOutcome, unsupported]))).to.equal('fail');
    expect(squareDetail(unsupported)).to.equal('not supported: requires networkPolicy (flannel on cluster main lacks it)');
    expect(squareDetail({ status: 'skip', skipKind: 'unsupported' } as TestOutcome)).to.equal('not supported');
    expect(squareDetail({ status: 'skip' } as TestOutcome)).to.equal('');

    const html = renderMatrixPage(cells(report('flannel', 'v0.28.9', [{ status: 'pass' }, unsupported, { status: 'skip', message: 'SCTP probes are not supported yet' }])));
    expect(html).to.contain('kconn matrix: passed', 'not supported fails nothing');
    expect(html).to.contain('<p id="totals">1 cell: 1 passed, 0 failed, 0 errors, 0 flaky, 1 skipped, 1 not supported</p>');
    expect(html).to.contain('<span class="skip">– skipped</span><span class="unsupported">⊘ not supported</span>');
    expect(html).to.contain('<td class="sq pass" data-cell="default / flannel v0.28.9 / v1.35.8" data-suite="basic">✓ 1/1 passed, 1 not supported, 1 skipped</td>');
    expect(html).to.contain(
      '<td class="sq unsupported" title="not supported: requires networkPolicy (flannel on cluster main lacks it)" tabindex="0">⊘ not supported</td>' +
        '</tr><tr><th scope="row"><small>basic</small> t2</th><td class="sq skip" title="SCTP probes are not supported yet" tabindex="0">– skipped</td>',
    );
    const only = renderMatrixPage(cells(report('flannel', 'v0.28.9', [unsupported, unsupported])));
    expect(only).to.contain('<td class="sq unsupported" data-cell="default / flannel v0.28.9 / v1.35.8" data-suite="basic">⊘ 0/0 passed, 2 not supported</td>');
    expect(only).to.contain('<p id="totals">1 cell: 0 passed, 0 failed, 0 errors, 0 flaky, 0 skipped, 2 not supported</p>');
    // Its own style, not colour alone: a hatched square with a dotted outline (an expected difference is dashed).
    expect(html).to.contain('--unsup:#953800;--unsup-bg:#fff1e5}');
    expect(html).to.contain('\n.unsupported{background:repeating-linear-gradient(135deg,var(--unsup-bg) 0 6px,#fff 6px 12px);color:var(--unsup)}\ntd.unsupported{outline:1px dotted var(--unsup);outline-offset:-3px}\n');
  });

  const failing = report('calico', 'v3.32.1', [
    { status: 'pass' },
    { name: HOSTILE, status: 'fail', expected: 'blocked (timeout or refused)', observed: 'connected HTTP 200 <b>', reproduce: `kubectl exec c -- curl 'http://e/?a=1&b=2'`, diagnostics: { path: 'reports/abc/diagnostics/basic/t1' } },
    { status: 'skip', message: 'requires <networkPolicy>' },
  ]);
  const flannel = report('flannel', 'v0.28.9', [{ status: 'pass' }, { name: HOSTILE, status: 'pass', flaky: true, attempts: 2 }, { status: 'pass' }]);

  it('is one self-contained document: inline CSS, no script, no external asset', () => {
    const html = renderMatrixPage(cells(failing, flannel));
    expect(html.startsWith('<!DOCTYPE html>')).to.equal(true);
    expect(html).to.contain('<style>');
    expect(html).not.to.match(/<script|<link|<img|@import|url\(/i);
    expect(html).not.to.match(/src=/);
  });

  it('the grid: suites by cell with counts, coloured by the worst result', () => {
    const html = renderMatrixPage(cells(failing, flannel));
    expect(html).to.contain('<td class="sq fail" data-cell="default / calico v3.32.1 / v1.35.8" data-suite="basic">✗ 1/2 passed, 1 failed, 1 skipped</td>');
    expect(html).to.contain('<td class="sq flaky" data-cell="default / flannel v0.28.9 / v1.35.8" data-suite="basic">~ 3/3 passed, 1 flaky</td>');
    expect(html).to.contain('<h1 class="verdict-failed">kconn matrix: FAILED</h1>');
    expect(html).to.contain('title="requires &lt;networkPolicy&gt;" tabindex="0"');
  });

  it('a failure shows expected, observed, reproduce and diagnostics, every value escaped', () => {
    const html = renderMatrixPage(cells(failing, flannel));
    expect(html).to.contain('<span class="test-name">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</span>');
    expect(html).to.contain('<dt>expected</dt><dd>blocked (timeout or refused)</dd><dt>observed</dt><dd>connected HTTP 200 &lt;b&gt;</dd>');
    expect(html).to.contain('<pre><code>kubectl exec c -- curl &#39;http://e/?a=1&amp;b=2&#39;</code></pre>');
    expect(html).to.contain('<dt>diagnostics</dt><dd>reports/abc/diagnostics/basic/t1</dd>');
    expect(html).not.to.contain('<script>');
  });

  it('expected differences: the known differences of the cells’ CNIs, apart from pass and fail', () => {
    const cs = cells(failing, flannel);
    const ids = differencesForCells(cs).map((d) => d.difference.id);
    expect(ids).to.include('flannel-no-networkpolicy');
    expect(ids).not.to.include('cilium-ipblock-pod-ip');
    const html = renderMatrixPage(cs);
    expect(html).to.contain('<section id="expected-differences">');
    expect(html).to.match(/<tr class="diff"><td><code>flannel-no-networkpolicy<\/code><\/td><td>flannel<\/td><td>all versions<\/td>/);
    expect(html).to.contain('<a href="https://pkg.go.dev/github.com/flannel-io/flannel@v0.28.9">');
  });

  it('with a baseline: new failures come first, before the grid; old ones after it', () => {
    const before = cells(report('calico', 'v3.32.1', [{ status: 'fail', expected: 'a', observed: 'b' }, { status: 'pass' }]));
    const now = cells(report('calico', 'v3.32.1', [{ status: 'fail', expected: 'a', observed: 'b' }, { status: 'fail', expected: 'blocked', observed: 'connected' }]));
    const html = renderMatrixPage(now, compareWithBaseline(now, before));
    const newAt = html.indexOf('<section id="new-failures">');
    expect(newAt).to.be.greaterThan(0);
    expect(newAt).to.be.lessThan(html.indexOf('<section id="grid">'));
    expect(html.indexOf('<span class="tag">NEW</span>')).to.be.lessThan(html.indexOf('<section id="grid">'));
    const newSection = html.slice(newAt, html.indexOf('<section id="grid">'));
    expect(newSection).to.contain('<span class="test-name">t1</span>');
    expect(newSection).not.to.contain('<span class="test-name">t0</span>');
    expect(html.slice(html.indexOf('<section id="failures">'))).to.contain('<span class="test-name">t0</span>');
    expect(html).to.contain('1 new failure, 0 fixed, 1 still failing');
  });

  it('all passed: the verdict says so and no failure is listed', () => {
    const html = renderMatrixPage(cells(report('kindnet', 'bundled', [{ status: 'pass' }])));
    expect(html).to.contain('kconn matrix: passed');
    expect(html).to.contain('No test failed.');
    expect(html).not.to.contain('class="failure');
  });
});
