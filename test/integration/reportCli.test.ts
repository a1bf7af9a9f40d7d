import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import type { RunReport } from '../../harness/model/runReport.js';
import { renderResultsJson } from '../../harness/report/resultsJson.js';
import { REPO_ROOT } from '../support/paths.js';

async function kconn(...args: string[]) {
  return execa(process.execPath, [join(REPO_ROOT, 'bin', 'kconn.js'), ...args], { cwd: REPO_ROOT, reject: false, timeout: 60_000 });
}

const DIFFERENCE = { id: 'cilium-ipblock-pod-ip', cni: 'cilium 1.19.1', reason: 'Cilium does not match ipBlock against pod IPs', source: 'https://docs.cilium.io/en/stable/network/kubernetes/policy/' };

/** `unsupported`: a skip because the cluster lacks a capability the suite requires (skipKind). */
function cell(cni: string, version: string, statuses: ReadonlyArray<'pass' | 'fail' | 'skip' | 'unsupported' | 'expected-difference'>): RunReport {
  return {
    runId: `r${cni.slice(0, 4)}`,
    topology: 'default',
    kindVersion: 'v0.33.0',
    kubernetesVersion: 'v1.35.8',
    clusters: [{ name: 'main', kindName: 'kconn-x-main', cni, cniVersion: version }],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    suites: [
      {
        name: 'basic',
        file: 'suites/basic.yaml',
        durationMs: 100,
        tests: statuses.map((status, i) => ({
          suite: 'basic',
          name: `test ${i}`,
          status: status === 'unsupported' ? ('skip' as const) : status,
          ...(status === 'unsupported' ? { skipKind: 'unsupported' as const, message: 'requires networkPolicy (flannel on cluster main lacks it)' } : {}),
          ...(status === 'fail' || status === 'expected-difference' ? { expected: 'blocked', observed: 'connected' } : {}),
          ...(status === 'expected-difference' ? { difference: DIFFERENCE } : {}),
          durationMs: 1,
          attempts: 1,
          results: [],
        })),
      },
    ],
  };
}

describe('kconn report merge (as a process)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-report-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function writeCell(path: string, report: RunReport): void {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, 'results.json'), renderResultsJson(report));
  }

  it('merges cells found below the folders given into junit.xml, summary.md and cells/; exit 1 when a test failed', async () => {
    writeCell('night1/job-calico/reports/aaa111', cell('calico', 'v3.32.1', ['pass', 'fail']));
    writeCell('night1/job-flannel/reports/bbb222', cell('flannel', 'v0.28.9', ['pass', 'skip']));
    const r = await kconn('report', 'merge', join(dir, 'night1'), '--out', join(dir, 'merged1'));
    expect(r.exitCode, r.stderr).to.equal(1);
    expect(r.stdout).to.contain('merged 2 cells into');
    expect(r.stdout).to.contain('  default / calico v3.32.1 / v1.35.8: 1 passed, 1 failed, 0 errors, 0 flaky, 0 skipped');
    const junit = readFileSync(join(dir, 'merged1', 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).to.have.length(2);
    expect(junit).to.contain('<testsuite name="default / calico v3.32.1 / v1.35.8 / basic"');
    const summary = readFileSync(join(dir, 'merged1', 'summary.md'), 'utf8');
    expect(summary).to.contain('| ❌ default / calico v3.32.1 / v1.35.8 | 1 | 1 | 0 | 0 | 0 |');
    expect(summary).to.contain('### Failures (1)');
    expect(existsSync(join(dir, 'merged1', 'cells', 'default-calico-v3.32.1-v1.35.8', 'results.json'))).to.equal(true);
  });

  it('--baseline: an earlier merge output; new failures first, fixed, still failing', async () => {
    writeCell('night2/calico', cell('calico', 'v3.32.1', ['fail', 'fail']));
    writeCell('night2/flannel', cell('flannel', 'v0.28.9', ['pass', 'skip']));
    const r = await kconn('report', 'merge', join(dir, 'night2'), '--out', join(dir, 'merged2'), '--baseline', join(dir, 'merged1'));
    expect(r.exitCode, r.stderr).to.equal(1);
    expect(r.stdout).to.contain(': 1 new failures, 0 fixed, 1 still failing, 0 flaky');
    const summary = readFileSync(join(dir, 'merged2', 'summary.md'), 'utf8');
    expect(summary.indexOf('### New failures (1)')).to.be.within(0, summary.indexOf('| cell |'));
    expect(summary).to.contain('- `default / calico v3.32.1 / v1.35.8` basic › test 0: expected blocked, observed connected');
    expect(summary).to.contain('### Still failing (1)');
  });

  it('exit 0 when every test passed, was skipped or is not supported; not supported is counted apart from skipped', async () => {
    writeCell('green/flannel', cell('flannel', 'v0.28.9', ['pass', 'skip', 'unsupported']));
    const r = await kconn('report', 'merge', join(dir, 'green'), '--out', join(dir, 'merged3'));
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')).to.include('  default / flannel v0.28.9 / v1.35.8: 1 passed, 0 failed, 0 errors, 0 flaky, 1 skipped, 1 not supported');
    const summary = readFileSync(join(dir, 'merged3', 'summary.md'), 'utf8');
    expect(summary).to.contain('1 cell: 1 passed, 0 failed, 0 errors, 0 flaky, 1 skipped, 1 not supported\n');
    expect(summary).to.contain('| ✅ default / flannel v0.28.9 / v1.35.8 | 1 | 0 | 0 | 0 | 1 | 1 | 0 |');
    const junit = readFileSync(join(dir, 'merged3', 'junit.xml'), 'utf8');
    expect(junit).to.contain('failures="0" errors="0" skipped="2"');
    expect(junit).to.contain('<skipped message="not supported: requires networkPolicy (flannel on cluster main lacks it)"/>');
    const merged = JSON.parse(readFileSync(join(dir, 'merged3', 'cells', 'default-flannel-v0.28.9-v1.35.8', 'results.json'), 'utf8'));
    expect(merged.suites[0].tests[2]).to.deep.include({ status: 'skip', skipKind: 'unsupported' });
    const page = readFileSync(join(dir, 'merged3', 'index.html'), 'utf8');
    expect(page).to.contain('<td class="sq unsupported" title="not supported: requires networkPolicy (flannel on cluster main lacks it)" tabindex="0">⊘ not supported</td>');
  });

  it('an expected difference is not a failure: exit 0, counted apart, with reason and source in summary.md and junit.xml', async () => {
    writeCell('differs/cilium', cell('cilium', '1.19.1', ['pass', 'expected-difference']));
    const r = await kconn('report', 'merge', join(dir, 'differs'), '--out', join(dir, 'merged6'));
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('  default / cilium 1.19.1 / v1.35.8: 1 passed, 0 failed, 0 errors, 0 flaky, 0 skipped, 1 expected difference');
    const summary = readFileSync(join(dir, 'merged6', 'summary.md'), 'utf8');
    expect(summary).to.contain('## kconn matrix: passed');
    expect(summary).to.contain('| ✅ default / cilium 1.19.1 / v1.35.8 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |');
    expect(summary).to.contain(`basic › test 1: cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against pod IPs ([source](${DIFFERENCE.source}))`);
    const junit = readFileSync(join(dir, 'merged6', 'junit.xml'), 'utf8');
    expect(junit).to.contain('failures="0" errors="0" skipped="0"');
    expect(junit).to.contain('<system-out>expected difference cilium-ipblock-pod-ip (cilium 1.19.1): Cilium does not match ipBlock against pod IPs\nsource: https://docs.cilium.io/');
  });

  it('bad input: every problem on stderr, exit 1, nothing written; no folder at all: exit 2', async () => {
    mkdirSync(join(dir, 'bad', 'x'), { recursive: true });
    writeFileSync(join(dir, 'bad', 'x', 'results.json'), '{"schemaVersion": 1}');
    mkdirSync(join(dir, 'empty'));
    const r = await kconn('report', 'merge', join(dir, 'bad'), join(dir, 'empty'), join(dir, 'nope'), '--out', join(dir, 'merged4'));
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.contain(`${join(dir, 'bad', 'x', 'results.json')}: runId: expected a string`);
    expect(r.stderr).to.contain(`${join(dir, 'empty')}: no results.json in it`);
    expect(r.stderr).to.contain(`${join(dir, 'nope')}: no such folder`);
    expect(existsSync(join(dir, 'merged4'))).to.equal(false);
    const twice = await kconn('report', 'merge', join(dir, 'night1'), join(dir, 'night1'), '--out', join(dir, 'merged5'));
    expect(twice.exitCode).to.equal(1);
    expect(twice.stderr).to.match(/two results for cell default \/ calico v3\.32\.1 \/ v1\.35\.8/);
    expect((await kconn('report', 'merge')).exitCode).to.equal(2);
  });
});
