import { expect } from 'chai';
import type { RunReport, TestOutcome } from '../../../harness/model/runReport.js';
import { cellIdOf, cellKey, cellSlug, compareWithBaseline, failuresOf, parseResultsJson, type Cell } from '../../../harness/report/matrix.js';
import { cellsOf, runOf } from './cellsFixture.js';

/** A results.json document as kconn writes it (the parts the merge reads), to break one field at a time. */
function document(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    runId: 'abc123',
    topology: 'default',
    kubernetesVersion: 'v1.35.8',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    clusters: [{ name: 'main', cni: 'calico', cniVersion: 'v3.32.1' }],
    suites: [{ name: 'basic', tests: [{ name: 't', status: 'pass', results: [] }] }],
  };
}

const problem = (doc: unknown): string => {
  const r = parseResultsJson(JSON.stringify(doc), 'x/results.json');
  return r.ok ? 'ok' : r.problem;
};

const test0 = (d: Record<string, unknown>): Record<string, unknown> => ((d['suites'] as Array<{ tests: Record<string, unknown>[] }>)[0]!.tests[0]!);

const report = (cni: string, version: string, tests: Partial<TestOutcome>[], clusters?: RunReport['clusters']): RunReport =>
  runOf(cni, version, { s: tests }, clusters ? { clusters } : {});
const cells = (...reports: RunReport[]): Cell[] => cellsOf(reports);

describe('report merge: reading results.json, every problem named by its field (harness/report/matrix.ts)', () => {
  it('a well-formed document reads', () => {
    expect(problem(document())).to.equal('ok');
  });

  it('not JSON, not an object, another schema version', () => {
    const r = parseResultsJson('{"a":', 'x/results.json');
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.problem).to.match(/^x\/results\.json: not JSON \(.+\)$/);
    expect(problem([1])).to.equal('x/results.json: (top): expected an object, as kconn writes results.json');
    expect(problem('text')).to.equal('x/results.json: (top): expected an object, as kconn writes results.json');
    expect(problem({ ...document(), schemaVersion: 2 })).to.equal('x/results.json: schemaVersion: expected 1, found 2 (a results.json of another kconn version?)');
    const noVersion = document();
    delete noVersion['schemaVersion'];
    expect(problem(noVersion)).to.equal('x/results.json: schemaVersion: expected 1, found undefined (a results.json of another kconn version?)');
  });

  it('each string field of the run', () => {
    for (const k of ['runId', 'topology', 'kubernetesVersion', 'startedAt', 'finishedAt']) {
      expect(problem({ ...document(), [k]: 7 }), k).to.equal(`x/results.json: ${k}: expected a string`);
    }
  });

  it('clusters: a list of name, cni and cniVersion strings', () => {
    expect(problem({ ...document(), clusters: {} })).to.equal('x/results.json: clusters: expected a list');
    const bad = 'x/results.json: clusters[1]: expected name, cni and cniVersion strings';
    const good = { name: 'main', cni: 'calico', cniVersion: 'v3.32.1' };
    expect(problem({ ...document(), clusters: [good, 'main'] })).to.equal(bad);
    expect(problem({ ...document(), clusters: [good, { ...good, name: 1 }] })).to.equal(bad);
    expect(problem({ ...document(), clusters: [good, { ...good, cni: null }] })).to.equal(bad);
    expect(problem({ ...document(), clusters: [good, { name: 'x', cni: 'calico' }] })).to.equal(bad);
  });

  it('suites and their tests', () => {
    expect(problem({ ...document(), suites: 'none' })).to.equal('x/results.json: suites: expected a list');
    const badSuite = 'x/results.json: suites[0]: expected a name and a list of tests';
    expect(problem({ ...document(), suites: [null] })).to.equal(badSuite);
    expect(problem({ ...document(), suites: [{ tests: [] }] })).to.equal(badSuite);
    expect(problem({ ...document(), suites: [{ name: 's', tests: {} }] })).to.equal(badSuite);
    expect(problem({ ...document(), suites: [{ name: 's', tests: [] }] })).to.equal('ok');
    const badTest = 'x/results.json: suites[0].tests[0]: expected a test with a name';
    expect(problem({ ...document(), suites: [{ name: 's', tests: [3] }] })).to.equal(badTest);
    expect(problem({ ...document(), suites: [{ name: 's', tests: [{ status: 'pass', results: [] }] }] })).to.equal(badTest);
    const d = document();
    test0(d)['status'] = 1;
    expect(problem(d)).to.equal('x/results.json: suites[0].tests[0].status: expected pass, fail, error, skip or expected-difference, found 1');
    test0(d)['status'] = 'pass';
    test0(d)['results'] = 'none';
    expect(problem(d)).to.equal('x/results.json: suites[0].tests[0].results: expected a list');
  });

  it('skipKind: "unsupported" on a skip reads and counts as not supported; anything else is named; a file without it (older kconn) is a plain skip', () => {
    const d = document();
    test0(d)['status'] = 'skip';
    const counts = (doc: Record<string, unknown>): unknown => {
      const r = parseResultsJson(JSON.stringify(doc), 'x/results.json');
      return r.ok ? cellsOf([r.value])[0]!.counts : r.problem;
    };
    expect(counts(d)).to.deep.include({ skipped: 1, unsupported: 0 });
    test0(d)['skipKind'] = 'unsupported';
    expect(counts(d)).to.deep.include({ skipped: 1, unsupported: 1 });
    test0(d)['skipKind'] = 'unknown';
    expect(problem(d)).to.equal('x/results.json: suites[0].tests[0].skipKind: expected "unsupported" on a skipped test, found "unknown" on a test with status "skip"');
    test0(d)['skipKind'] = 'unsupported';
    test0(d)['status'] = 'fail';
    expect(problem(d)).to.equal('x/results.json: suites[0].tests[0].skipKind: expected "unsupported" on a skipped test, found "unsupported" on a test with status "fail"');
  });

  it('every status kconn writes reads', () => {
    for (const status of ['pass', 'fail', 'error', 'skip']) {
      const d = document();
      test0(d)['status'] = status;
      expect(problem(d), status).to.equal('ok');
    }
  });
});

describe('report merge: cells, lists and names (harness/report/matrix.ts)', () => {
  it('a CNI without a version is its name; no cluster is "unknown"; differing clusters are named', () => {
    expect(cellIdOf(report('kindnet', '', [])).cni).to.equal('kindnet');
    expect(cellIdOf(report('kindnet', '', [], [])).cni).to.equal('unknown');
    expect(cellKey(cellIdOf(report('', '', [], [{ name: 'a', cni: 'calico', cniVersion: 'v1' }, { name: 'b', cni: 'calico', cniVersion: 'v1' }])))).to.equal('default / calico v1 / v1.35.8');
    expect(cellIdOf(report('', '', [], [{ name: 'a', cni: 'calico', cniVersion: 'v1' }, { name: 'b', cni: 'kindnet', cniVersion: '' }])).cni).to.equal('a=calico v1, b=kindnet');
  });

  it('cells are ordered by key whatever the input order', () => {
    const keys = (rs: RunReport[]): string[] => cells(...rs).map((c) => c.id.cni);
    const a = report('a', 'v1', []);
    const b = report('b', 'v1', []);
    const c = report('c', 'v1', []);
    expect(keys([c, a, b])).to.deep.equal(['a v1', 'b v1', 'c v1']);
    expect(keys([b, c, a])).to.deep.equal(['a v1', 'b v1', 'c v1']);
    expect(keys([a, c, b])).to.deep.equal(['a v1', 'b v1', 'c v1']);
  });

  it('failures, flakes and differences: each test in its list with its detail, nothing else', () => {
    const cs = cells(
      report('calico', 'v1', [
        { status: 'pass' },
        { status: 'pass', flaky: true, attempts: 3 },
        { status: 'fail', expected: 'blocked', observed: 'connected' },
        { status: 'fail' },
        { status: 'error', message: 'exec failed', observed: 'error' },
        { status: 'error', observed: 'error (no tool)' },
        { status: 'error' },
        { status: 'skip', message: 'requires x' },
        { status: 'skip' },
        { status: 'pass', flaky: false },
      ]),
    );
    const found = failuresOf(cs);
    const cell = 'default / calico v1 / v1.35.8';
    expect(found.flaky).to.deep.equal([{ cell, suite: 's', test: 't1', status: 'pass', detail: 'passed after 3 attempts' }]);
    expect(found.failing).to.deep.equal([
      { cell, suite: 's', test: 't2', status: 'fail', detail: 'expected blocked, observed connected' },
      { cell, suite: 's', test: 't3', status: 'fail', detail: 'expected (not recorded), observed (not recorded)' },
      { cell, suite: 's', test: 't4', status: 'error', detail: 'exec failed' },
      { cell, suite: 's', test: 't5', status: 'error', detail: 'error (no tool)' },
      { cell, suite: 's', test: 't6', status: 'error' },
    ]);
    expect(found.differences).to.deep.equal([]);
    const before = cells(report('calico', 'v1', [{ status: 'fail' }, { status: 'fail' }, { status: 'skip', message: 'requires x' }]));
    const now = cells(report('calico', 'v1', [{ status: 'pass' }, { status: 'skip', message: 'later' }, { status: 'fail' }]));
    const diff = compareWithBaseline(now, before);
    expect(diff.fixed).to.deep.equal([{ cell, suite: 's', test: 't0', status: 'pass' }], 'a skip is not a fix');
    expect(diff.newFailures.map((r) => r.test)).to.deep.equal(['t2']);
    expect(diff.stillFailing).to.deep.equal([]);
    expect(diff.missingCells).to.deep.equal([]);
  });

  it('against a baseline, a not supported result is never a new failure nor a fix, whatever it was before', () => {
    const cell = 'default / flannel v1 / v1.35.8';
    const unsupported: Partial<TestOutcome> = { status: 'skip', skipKind: 'unsupported', message: 'requires networkPolicy (flannel on cluster main lacks it)' };
    const before = cells(report('flannel', 'v1', [{ status: 'fail' }, { status: 'pass' }, unsupported, unsupported]));
    const now = cells(report('flannel', 'v1', [unsupported, unsupported, { status: 'fail' }, { status: 'pass' }, unsupported]));
    const diff = compareWithBaseline(now, before);
    expect(diff.newFailures).to.deep.equal([{ cell, suite: 's', test: 't2', status: 'fail', detail: 'expected (not recorded), observed (not recorded)' }], 'failing after not supported is new');
    expect(diff.fixed).to.deep.equal([], 'passing after not supported is no fix');
    expect(diff.stillFailing).to.deep.equal([]);
    expect(failuresOf(now)).to.deep.equal({ failing: diff.newFailures, flaky: [], differences: [] });
  });

  it('a cell slug: lowercase letters, digits, dots and single dashes, trimmed, at most 100 characters, never empty', () => {
    expect(cellSlug('Default / Calico v3.32.1 / v1.35.8')).to.equal('default-calico-v3.32.1-v1.35.8');
    expect(cellSlug('--a  //  b--')).to.equal('a-b');
    expect(cellSlug('///')).to.equal('cell');
    expect(cellSlug(`x${'y'.repeat(150)}`)).to.have.length(100);
  });
});
