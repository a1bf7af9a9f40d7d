import { expect } from 'chai';
import type { RunReport } from '../../../harness/model/runReport.js';
import { renderResultsJson } from '../../../harness/report/resultsJson.js';
import { NASTY_STDERR, NASTY_STDOUT, runReportFixture } from './runReportFixture.js';

describe('results.json', () => {
  // Rendered inside each test, never in the describe body: a mutation run activates a mutant per test.
  const render = () => {
    const json = renderResultsJson(runReportFixture());
    return { json, doc: JSON.parse(json) };
  };

  it('is pretty JSON ending with a newline, schemaVersion first, then the model\'s fields and the counts', () => {
    const { json, doc } = render();
    expect(json.startsWith('{\n  "schemaVersion": 1,\n  "runId": "run-2025-11-25-abc",\n')).to.equal(true);
    expect(json.endsWith('}\n')).to.equal(true);
    expect(Object.keys(doc)).to.deep.equal(['schemaVersion', 'runId', 'topology', 'kindVersion', 'kubernetesVersion', 'clusters', 'startedAt', 'finishedAt', 'summary', 'suites']);
    expect(doc.summary).to.deep.equal({ passed: 3, failed: 1, errors: 1, skipped: 2, unsupported: 1, differences: 0, flaky: 1, total: 7 });
    expect(Object.keys(doc.clusters[0])).to.deep.equal(['name', 'kindName', 'cni', 'cniVersion', 'nodeImage']);
    expect(Object.keys(doc.suites[0])).to.deep.equal(['name', 'file', 'tests', 'durationMs']);
    expect(Object.keys(doc.suites[0].tests[2])).to.deep.equal(['suite', 'name', 'cluster', 'status', 'expected', 'observed', 'reproduce', 'durationMs', 'attempts', 'results']);
    expect(doc.suites[1].tests[0]).to.deep.equal({
      suite: 'network-policy', name: 'deny all', status: 'skip', message: 'requires networkPolicy: cluster "west" (flannel) has none', skipKind: 'unsupported', durationMs: 0, attempts: 0, results: [],
    });
    expect(Object.keys(doc.suites[1].tests[0])).to.deep.equal(['suite', 'name', 'status', 'message', 'skipKind', 'durationMs', 'attempts', 'results']);
    expect(Object.keys(doc.suites[1].tests[1]), 'a plain skip has no skipKind').to.deep.equal(['suite', 'name', 'status', 'message', 'durationMs', 'attempts', 'results']);
    expect(Object.keys(doc.suites[0].tests[2].results[0])).to.deep.equal([
      'outcome', 'httpStatus', 'body', 'backend', 'id', 'spec', 'source', 'latencyMs', 'attempts', 'command', 'exitCode', 'stdout', 'stderr', 'reproduce',
    ]);
    expect(Object.keys(doc.suites[0].tests[2].results[0].spec)).to.deep.equal(['kind', 'scheme', 'host', 'port', 'path', 'timeoutMs']);
  });

  it('keeps probe output exactly, control characters included', () => {
    const { json, doc } = render();
    expect(doc.suites[0].tests[2].results[0].stdout).to.equal(NASTY_STDOUT);
    expect(doc.suites[0].tests[2].results[0].stderr).to.equal(NASTY_STDERR);
    expect(json).to.contain('\\u0000\\u001b[31mred');
    expect(json).to.contain('\\ud800', 'a lone surrogate is escaped, not mangled');
  });

  it('does not depend on the order in which the report\'s objects were built, and loses no field', () => {
    const { json } = render();
    const report = runReportFixture();
    const shuffled = JSON.parse(JSON.stringify(report, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v))) as RunReport;
    expect(renderResultsJson(shuffled)).to.equal(json);
    const extended = { ...report, operator: 'ci' } as RunReport;
    expect(JSON.parse(renderResultsJson(extended)).operator).to.equal('ci');
  });

  it('a flaky pass keeps what its first failed attempt saw, right after flaky', () => {
    const report = runReportFixture();
    const suites = report.suites.map((suite) => ({ ...suite, tests: suite.tests.map((t) => (t.flaky ? { ...t, firstFailure: 'attempt 1: timeout' } : t)) }));
    const doc = JSON.parse(renderResultsJson({ ...report, suites })) as { suites: { tests: Record<string, unknown>[] }[] };
    const flaky = doc.suites.flatMap((s) => s.tests).find((t) => t['flaky'] === true)!;
    const keys = Object.keys(flaky);
    expect(keys[keys.indexOf('flaky') + 1]).to.equal('firstFailure');
    expect(flaky['firstFailure']).to.equal('attempt 1: timeout');
  });

  it('nested records in the model\'s order too: a difference, diagnostics, timings; fields it does not know after them, sorted', () => {
    const report = runReportFixture();
    const [basic] = report.suites;
    const test = {
      ...basic!.tests[0]!,
      zeta: 1,
      alpha: 2,
      diagnostics: { sourceIp: '10.0.0.1', path: 'd' },
      difference: { source: 's', reason: 'r', cni: 'c', id: 'i' },
    };
    const withNested = {
      ...report,
      timings: [{ ms: 5, suite: 'basic', cluster: 'east', phase: 'probe' }],
      suites: [{ ...basic!, tests: [test] }],
    } as unknown as RunReport;
    const doc = JSON.parse(renderResultsJson(withNested)) as { timings: object[]; suites: Array<{ tests: Array<Record<string, object>> }> };
    const t = doc.suites[0]!.tests[0]!;
    expect(Object.keys(t)).to.deep.equal(['suite', 'name', 'cluster', 'status', 'durationMs', 'attempts', 'difference', 'diagnostics', 'results', 'alpha', 'zeta']);
    expect(Object.keys(t['difference']!)).to.deep.equal(['id', 'cni', 'reason', 'source']);
    expect(Object.keys(t['diagnostics']!)).to.deep.equal(['path', 'sourceIp']);
    expect(Object.keys(doc.timings[0]!)).to.deep.equal(['phase', 'cluster', 'suite', 'ms']);
  });
});
