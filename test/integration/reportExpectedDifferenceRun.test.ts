import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { StartedTestContainer } from 'testcontainers';
import { findDifference } from '../../harness/cni/knownDifferences.js';
import { loadProject } from '../../harness/load/loadProject.js';
import type { TestOutcome } from '../../harness/model/runReport.js';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import type { InstalledCni } from '../../harness/run/expectedDifferences.js';
import { runSuitesWithMocha } from '../../harness/run/mochaRun.js';
import type { ClusterAccess } from '../../harness/run/runOptions.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: grid}
spec:
  requires: [networkPolicy]
  dependsOn: [flannel-no-networkpolicy]
  truthTable:
    namespaces:
      x: {labels: {ns: x}, pods: {a: {pod: a}, b: {pod: b}}}
    ports: [{port: 8080, protocol: TCP}]
    policies: [policies/deny-b.yaml]
`;
const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
`;

/**
 * A suite that depends on a known difference, run by the real runner with real packets: two grid pods are containers,
 * the API is in memory, and nothing enforces the deny-all on x/b (as on Flannel), so the cell into x/b fails. Where the
 * cluster's CNI is one the difference holds for, that failure is an expected difference with its reason and source
 * (and the mocha test does not fail); on another CNI it stays a failure.
 */
describe('a suite with dependsOn, run for real: a failure the known difference explains is an expected difference', function () {
  this.timeout(180_000);
  const lab = new DockerLab();
  const pods = new Map<string, StartedTestContainer>();
  let project: Awaited<ReturnType<typeof loadProject>>;
  let dir: string;

  before(async function () {
    await requireDocker(this);
    await lab.start();
    const [xa, xb] = await Promise.all([lab.run(lab.server('xa')), lab.run(lab.server('xb'))]);
    pods.set('kconn-d1-x/a', xa).set('kconn-d1-x/b', xb);
    dir = mkdtempSync(join(tmpdir(), 'kconn-depends-'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'grid.yaml'), SUITE);
    writeFileSync(join(dir, 'policies', 'deny-b.yaml'), POLICY);
    project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    expect(project.suites[0]!.dependsOn).to.deep.equal([{ id: 'flannel-no-networkpolicy' }]);
  });
  after(async () => {
    await lab.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (cni: InstalledCni): Promise<{ tests: readonly TestOutcome[]; failures: number }> => {
    const api = new MemoryKubeApi();
    api.onRead = () => {
      for (const o of api.objects.values()) {
        const c = o.kind === 'Pod' ? pods.get(`${o.metadata?.namespace}/${o.metadata?.name}`) : undefined;
        if (c && !(o as { status?: unknown }).status) Object.assign(o, { status: { phase: 'Running', podIP: lab.ip(c), conditions: [{ type: 'Ready', status: 'True' }] } });
      }
    };
    const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec(pods.get(`${pod.namespace}/${pod.name}`)!) };
    let failures = 0;
    class CountingReporter extends Mocha.reporters.Base {
      constructor(runner: Mocha.Runner) {
        super(runner);
        runner.on('fail', () => failures++);
      }
    }
    const [outcome] = await runSuitesWithMocha([{ name: 'grid', file: 'grid.yaml', status: 'run', tests: 2 }], project.suites, ['main'], {
      clusters: new Map([['main', access]]),
      runNamespace: 'kconn-d1', cleanup: new CleanupRegistry(), keep: false, signal: new AbortController().signal,
      progress: () => undefined, readyTimeoutMs: 10_000, reporter: CountingReporter,
      policyControl: async () => ({ status: 'enforced', detail: 'the test stands in for the CNI' }),
      cnis: new Map([['main', cni]]),
    });
    return { tests: outcome!.tests, failures };
  };

  it('on flannel: the cell into x/b is an expected difference (id, CNI, reason, source); mocha counts no failure', async () => {
    const { tests, failures } = await run({ name: 'flannel', version: 'v0.28.9' });
    const d = findDifference('flannel-no-networkpolicy')!;
    const into = tests.find((t) => t.name.startsWith('x/a -> x/b'))!;
    expect(into, JSON.stringify(tests.map((t) => [t.name, t.status]))).to.not.equal(undefined);
    expect(into.status).to.equal('expected-difference');
    expect(into.expected).to.match(/^blocked/);
    expect(into.difference).to.deep.equal({ id: d.id, cni: 'flannel v0.28.9', reason: d.reason, source: d.source });
    expect(tests.filter((t) => t !== into).map((t) => t.status)).to.deep.equal(['pass']);
    expect(failures).to.equal(0);
  });

  it('on calico (the difference does not hold): the same cell is a failure', async () => {
    const { tests, failures } = await run({ name: 'calico', version: 'v3.32.1' });
    const into = tests.find((t) => t.name.startsWith('x/a -> x/b'))!;
    expect(into.status).to.equal('fail');
    expect(into.difference).to.equal(undefined);
    expect(failures).to.equal(1);
  });
});
