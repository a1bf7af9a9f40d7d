import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import type { SuitePlan } from '../../harness/model/plan.js';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import { runSuitesWithMocha } from '../../harness/run/mochaRun.js';
import type { ClusterAccess } from '../../harness/run/runOptions.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

/** Mocha inside mocha: the inner run's own output is not wanted here. */
class SilentReporter extends Mocha.reporters.Base {}

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: lab}
spec:
  defaults: {timeout: 1s}
  tests:
    - name: client reaches echo over HTTP
      from: {namespace: demo, selector: app=client}
      to: {service: demo/echo, port: 8080, path: /hostname}
      protocol: http
      expect: {reachable: true, http: {status: 200}}
    - name: the sink is blocked
      from: {namespace: demo, selector: app=client}
      to: {service: demo/sink, port: 8080}
      expect: blocked
      attempts: 2
    - name: echo pods answer UDP
      from: {namespace: demo, selector: app=client}
      to: {pod: {namespace: demo, selector: app=echo}, port: 8081}
      protocol: udp
      expect: reachable
    - name: a closed port is wrongly expected reachable
      from: {namespace: demo, selector: app=client}
      to: {service: demo/echo, port: 9}
      expect: reachable
      attempts: 3
    - name: the server name resolves
      from: {namespace: demo, selector: app=client}
      dns: {name: server}
      expect: resolves
    - name: no source pod
      from: {namespace: demo, selector: app=nobody}
      to: {service: demo/echo, port: 8080}
      expect: reachable
`;

/**
 * The runner with real packets: pods are real containers (probes go through Docker exec), and the Kubernetes API
 * that lists them is in memory. Proves resolution of sources and targets, batching, verdicts, retries and mocha.
 */
describe('suite runner: real probes, in-memory API', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  let client: StartedTestContainer;
  let server: StartedTestContainer;
  let sink: StartedTestContainer;
  const api = new MemoryKubeApi();

  before(async function () {
    await requireDocker(this);
    await lab.start();
    [client, server, sink] = await Promise.all([lab.run(lab.client('client')), lab.run(lab.server('server')), lab.run(lab.server('sink').withAddedCapabilities('NET_ADMIN'))]);
    await lab.sh(sink, ['iptables', '-P', 'INPUT', 'DROP']);
    const pod = (name: string, labels: Record<string, string>, ip: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo', labels }, spec: { containers: [{ name: 'main' }] },
      status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    api.put(pod(client.getName().replace(/^\//, ''), { app: 'client' }, lab.ip(client)));
    api.put(pod('echo-1', { app: 'echo' }, lab.ip(server)));
    // Services point straight at the containers: no kube-proxy here, the "ClusterIP" is the backend's address.
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: lab.ip(server) } } as never);
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'sink', namespace: 'demo' }, spec: { clusterIP: lab.ip(sink) } } as never);
  });

  after(async () => lab.close());

  it('judges every test, batches per source pod, retries what fails, and keeps errors apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-suite-'));
    writeFileSync(join(dir, 'lab.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec({ getName: () => pod.name } as StartedTestContainer) };
    const planned: SuitePlan[] = [
      { name: 'lab', file: 'lab.yaml', status: 'run', tests: 6 },
    ];
    const lines: string[] = [];
    const started = Date.now();
    const [outcome] = await runSuitesWithMocha(planned, project.suites, ['main'], {
      clusters: new Map([['main', access]]),
      runNamespace: 'kconn-t1',
      cleanup: new CleanupRegistry(),
      keep: false,
      signal: new AbortController().signal,
      progress: (l) => lines.push(l),
      readyTimeoutMs: 10_000,
      reporter: SilentReporter,
    });
    const byName = Object.fromEntries(outcome!.tests.map((t) => [t.name, t]));
    expect(Object.fromEntries(outcome!.tests.map((t) => [t.name, t.status]))).to.deep.equal({
      'client reaches echo over HTTP': 'pass',
      'the sink is blocked': 'pass',
      'echo pods answer UDP': 'pass',
      'a closed port is wrongly expected reachable': 'fail',
      'the server name resolves': 'pass',
      'no source pod': 'error',
    });
    expect(byName['client reaches echo over HTTP']!.results[0]).to.deep.include({ httpStatus: 200, backend: server.getHostname() });
    const failed = byName['a closed port is wrongly expected reachable']!;
    expect(failed).to.deep.include({ expected: 'reachable', attempts: 3 });
    expect(failed.observed).to.match(/^refused \(connection refused\) from docker:/);
    expect(failed.reproduce).to.match(/^docker exec \S+ bash -c /);
    expect(byName['the sink is blocked']!.attempts, 'a blocked verdict is confirmed by a second attempt').to.equal(2);
    expect(byName['client reaches echo over HTTP']!.attempts, 'a positive verdict needs one').to.equal(1);
    expect(byName['no source pod']!.message).to.equal('no running, ready pod matches app=nobody in namespace demo on cluster main');
    // One batch per attempt for the single source pod: 5 probes; then the blocked check is confirmed and the failing
    // one retried; then the failing one alone.
    expect(lines.filter((l) => l.includes('probe(s) from 1 pod(s)'))).to.deep.equal([
      'lab: attempt 1: 5 probe(s) from 1 pod(s)',
      'lab: attempt 2: 2 probe(s) from 1 pod(s)',
      'lab: attempt 3: 1 probe(s) from 1 pod(s)',
    ]);
    expect(Date.now() - started, 'the blocked probe and the others run concurrently').to.be.lessThan(15_000);
  });
});
