import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import type { TestOutcome } from '../../harness/model/runReport.js';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import { runSuitesWithMocha } from '../../harness/run/mochaRun.js';
import type { ClusterAccess } from '../../harness/run/runOptions.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

class SilentReporter extends Mocha.reporters.Base {}

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: grid}
spec:
  requires: [networkPolicy]
  truthTable:
    namespaces:
      x: {labels: {ns: x}, pods: {a: {pod: a}, b: {pod: b}}}
      y: {labels: {ns: y}, pods: {a: {pod: a}}}
    ports: [{port: 8080, protocol: TCP}, {port: 8081, protocol: UDP}]
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
 * A truth table run with real packets: each grid pod is a real container (the lab's echo server: TCP 8080, UDP 8081,
 * with bash and the probe tools), the API is in memory, and the "CNI" is iptables in the container of x/b. When it
 * enforces the deny-all, every cell passes; when it does not, exactly the cells into x/b fail, explained by the policy.
 */
describe('truth tables on a cluster: namespaces, pods and policies created, every cell probed (real packets)', function () {
  this.timeout(180_000);
  const lab = new DockerLab();
  const pods = new Map<string, StartedTestContainer>();
  let project: Awaited<ReturnType<typeof loadProject>>;

  before(async function () {
    await requireDocker(this);
    await lab.start();
    const [xa, xb, ya] = await Promise.all([lab.run(lab.server('xa')), lab.run(lab.server('xb').withAddedCapabilities('NET_ADMIN')), lab.run(lab.server('ya'))]);
    pods.set('kconn-t1-x/a', xa).set('kconn-t1-x/b', xb).set('kconn-t1-y/a', ya);
    const dir = mkdtempSync(join(tmpdir(), 'kconn-grid-'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'grid.yaml'), SUITE);
    writeFileSync(join(dir, 'policies', 'deny-b.yaml'), POLICY);
    project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
  });
  after(async () => lab.close());

  const run = async (diagnosticsDir?: string): Promise<{ tests: readonly TestOutcome[]; api: MemoryKubeApi; lines: string[] }> => {
    const api = new MemoryKubeApi();
    // The "kubelet": a pod applied into a grid namespace runs as the container that stands for it.
    api.onRead = () => {
      for (const o of api.objects.values()) {
        const c = o.kind === 'Pod' ? pods.get(`${o.metadata?.namespace}/${o.metadata?.name}`) : undefined;
        if (c && !(o as { status?: unknown }).status) Object.assign(o, { status: { phase: 'Running', podIP: lab.ip(c), conditions: [{ type: 'Ready', status: 'True' }] } });
      }
    };
    const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec(pods.get(`${pod.namespace}/${pod.name}`)!) };
    const lines: string[] = [];
    const [outcome] = await runSuitesWithMocha([{ name: 'grid', file: 'grid.yaml', status: 'run', tests: 18 }], project.suites, ['main'], {
      clusters: new Map([['main', access]]),
      runNamespace: 'kconn-t1', cleanup: new CleanupRegistry(), keep: false, signal: new AbortController().signal,
      progress: (l) => lines.push(l), readyTimeoutMs: 10_000, reporter: SilentReporter,
      policyControl: async () => ({ status: 'enforced', detail: 'the test stands in for the CNI' }),
      ...(diagnosticsDir ? { diagnosticsDir } : {}),
    });
    return { tests: outcome!.tests, api, lines };
  };

  it('creates the namespaces (declared labels), the pods (every port named serve-<port>-<proto>) and the rewritten policy', async () => {
    const xb = pods.get('kconn-t1-x/b')!;
    await lab.sh(xb, ['iptables', '-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT']);
    await lab.sh(xb, ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '-j', 'DROP']);
    await lab.sh(xb, ['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '8081', '-j', 'DROP']);
    const { tests, api, lines } = await run();
    const applied = api.calls.filter((c) => c.startsWith('apply'));
    expect(applied).to.include.members([
      'apply (strict) Namespace kconn-t1-x', 'apply (strict) Namespace kconn-t1-y', 'apply (strict) Pod kconn-t1-x/a', 'apply (strict) Pod kconn-t1-x/b',
      'apply (strict) Pod kconn-t1-y/a', 'apply (strict) NetworkPolicy kconn-t1-x/deny-b',
    ]);
    const deleted = api.calls.filter((c) => c.startsWith('delete'));
    expect(deleted, 'the suite removes what it created').to.include.members(['delete Pod kconn-t1-x/b', 'delete NetworkPolicy kconn-t1-x/deny-b', 'delete Namespace kconn-t1-y']);

    // 3 pods: 6 ordered pairs (a pod to itself is not judged), 2 ports.
    expect(tests).to.have.length(12);
    expect(tests.map((t) => `${t.name}: ${t.status}`).filter((t) => !t.endsWith('pass')), JSON.stringify(tests.map((t) => [t.name, t.status, t.observed]))).to.deep.equal([]);
    const blocked = tests.filter((t) => t.expected?.startsWith('blocked')).map((t) => t.name).sort();
    expect(blocked).to.deep.equal(['x/a -> x/b 8080/TCP', 'x/a -> x/b 8081/UDP', 'y/a -> x/b 8080/TCP', 'y/a -> x/b 8081/UDP']);
    expect(lines.join('\n')).to.include('8080/TCP: difference (0 cells)');
  });

  it('a CNI that does not enforce: exactly the cells into x/b fail, explained by the policy that should block them', async () => {
    const xb = pods.get('kconn-t1-x/b')!;
    await lab.sh(xb, ['iptables', '-F', 'INPUT']);
    const reports = mkdtempSync(join(tmpdir(), 'kconn-grid-reports-'));
    const { tests, lines } = await run(reports);
    const failed = tests.filter((t) => t.status !== 'pass');
    expect(failed.map((t) => t.name).sort()).to.deep.equal(['x/a -> x/b 8080/TCP', 'x/a -> x/b 8081/UDP', 'y/a -> x/b 8080/TCP', 'y/a -> x/b 8081/UDP']);
    for (const t of failed) {
      expect(t.status).to.equal('fail');
      expect(t.expected).to.match(/^blocked \(timeout or refused\) \(blocked: .*x\/deny-b/);
      // Each failing cell has its own diagnostics folder: the policy that should have blocked it, in YAML and words.
      expect(t.diagnostics?.path, t.name).to.be.a('string');
      expect(t.diagnostics!.path.startsWith(join(reports, 'diagnostics', 'grid'))).to.equal(true);
      expect(readFileSync(join(t.diagnostics!.path, 'summary.txt'), 'utf8')).to.contain(`test: ${t.name}`);
      expect(readFileSync(join(t.diagnostics!.path, 'networkpolicies.yaml'), 'utf8')).to.contain('deny-b');
    }
    expect(tests.filter((t) => t.status === 'pass').every((t) => t.diagnostics === undefined), 'passing cells get none').to.equal(true);
    const text = lines.join('\n');
    expect(text).to.include('8080/TCP: difference (2 cells)').and.include('8081/UDP: difference (2 cells)');
    expect(text).to.match(/8080\/TCP: observed\n[^\n]*\n[^\n]*x\/a +- +\. +\./);
  });
});
