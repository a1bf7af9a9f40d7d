import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import { loadProject } from '../../../harness/load/loadProject.js';
import type { SuitePlan } from '../../../harness/model/plan.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { runSuitesWithMocha } from '../../../harness/run/mochaRun.js';
import { notRunOutcomes } from '../../../harness/run/notRunOutcomes.js';

class SilentReporter extends Mocha.reporters.Base {}

const suiteYaml = (name: string, requires: string): string => `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: ${name}}
spec:
  requires: [${requires}]
  tests:
    - {name: blocked, from: {namespace: demo, selector: app=client}, to: {service: demo/echo, port: 8080}, protocol: tcp, expect: blocked}
`;

/** Where "not supported" comes from: the plan's requires and the NetworkPolicy control; every other skip stays plain. */
describe('not supported skips (skipKind: unsupported) where a run creates them', () => {
  const project = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-unsupported-'));
    writeFileSync(join(dir, 'policy.yaml'), suiteYaml('policy', 'networkPolicy'));
    writeFileSync(join(dir, 'nodes.yaml'), suiteYaml('nodes', 'multiNode'));
    writeFileSync(join(dir, 'far.yaml'), suiteYaml('far', 'multiNode'));
    const p = await loadProject([dir]);
    expect(p.diagnostics).to.deep.equal([]);
    return p.suites;
  };
  const planned: SuitePlan[] = [
    { name: 'policy', file: 'policy.yaml', status: 'run', tests: 1 },
    { name: 'nodes', file: 'nodes.yaml', status: 'skip', reason: 'requires multiNode (kindnet on cluster main lacks it)', skipKind: 'unsupported', tests: 1 },
    { name: 'far', file: 'far.yaml', status: 'skip', reason: 'needs cluster east, not in topology t', tests: 1 },
  ];
  const skip = (suite: string, message: string, unsupported: boolean) => ({
    suite, name: 'blocked', cluster: 'main', status: 'skip', message, ...(unsupported ? { skipKind: 'unsupported' } : {}), durationMs: 0, attempts: 0, results: [],
  });

  it('the NetworkPolicy control finding no enforcement, and the plan skipping for requires, are not supported; a missing cluster is a plain skip', async () => {
    const suites = await project();
    const asked: string[] = [];
    const outcomes = await runSuitesWithMocha(planned, suites, ['main'], {
      clusters: new Map(), runNamespace: 'kconn-t1', cleanup: new CleanupRegistry(), keep: false, signal: new AbortController().signal,
      progress: () => undefined, readyTimeoutMs: 1000, reporter: SilentReporter,
      policyControl: async (cluster) => {
        asked.push(cluster);
        return { status: 'not-enforced', detail: 'this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)' };
      },
    });
    expect(asked).to.deep.equal(['main']);
    expect(outcomes.map((s) => s.tests.map((t) => ({ ...t, durationMs: 0 })))).to.deep.equal([
      [skip('policy', 'cluster main: this cluster does not enforce NetworkPolicy (control probe still connected under deny-all)', true)],
      [skip('nodes', 'requires multiNode (kindnet on cluster main lacks it)', true)],
      [skip('far', 'needs cluster east, not in topology t', false)],
    ]);
  }).timeout(20_000);

  it('when provisioning failed, a suite the plan found not supported stays so; the others are plain skips, not run', async () => {
    const suites = await project();
    const [, ...rest] = notRunOutcomes('t.yaml', [{ name: 'main', status: 'failed', message: 'kind failed' }], planned, suites, 'kind failed');
    expect(rest.map((s) => s.tests)).to.deep.equal([
      [skip('policy', 'not run: provisioning failed (kind failed)', false)],
      [skip('nodes', 'requires multiNode (kindnet on cluster main lacks it)', true)],
      [skip('far', 'needs cluster east, not in topology t', false)],
    ]);
  });
});
