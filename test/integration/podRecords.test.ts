import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import { expandTests } from '../../harness/run/expandTests.js';
import type { ClusterAccess } from '../../harness/run/runOptions.js';
import { executeTests } from '../../harness/run/suiteExecutor.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: pod-records}
spec:
  defaults: {timeout: 2s}
  tests:
    - name: good pods have their own A records
      from: {namespace: demo, selector: app=client}
      dns: {podOf: {namespace: demo, selector: app=good}}
      expect: resolves
    - name: a record pointing elsewhere, and a missing one
      from: {namespace: demo, selector: app=client}
      dns: {podOf: {namespace: demo, selector: app=bad}}
      expect: resolves
`;

/**
 * Pod A records with a real resolver: the client's resolv.conf points at a dnsmasq of the test that serves the
 * cluster.local zone as CoreDNS would for three pods, one of them wrongly and one not at all. Proves the names are
 * built from each pod's IP and each answer is held to that pod's own address.
 */
describe('pod A records: each pod looked up by its own name, held to its own IP', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  let client: StartedTestContainer;
  const api = new MemoryKubeApi();

  before(async function () {
    await requireDocker(this);
    await lab.start();
    const dns = await lab.run(
      lab
        .server('dns')
        .withCommand([
          'dnsmasq', '--no-daemon', '--no-resolv', '--local=/cluster.local/',
          '--host-record=10-203-0-7.demo.pod.cluster.local,10.203.0.7',
          '--host-record=10-203-0-8.demo.pod.cluster.local,10.203.0.8',
          // The bad pods: one record points at another address, the other pod has none.
          '--host-record=10-203-0-9.demo.pod.cluster.local,10.203.0.99',
        ])
        .withWaitStrategy(Wait.forLogMessage(/started/)),
    );
    client = await lab.run(lab.client('client').withDns(lab.ip(dns)));
    const pod = (name: string, labels: Record<string, string>, ip: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo', labels }, spec: { containers: [{ name: 'main' }] },
      status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    api.put(pod(client.getName().replace(/^\//, ''), { app: 'client' }, lab.ip(client)));
    api.put(pod('good-1', { app: 'good' }, '10.203.0.7'));
    api.put(pod('good-2', { app: 'good' }, '10.203.0.8'));
    api.put(pod('bad-1', { app: 'bad' }, '10.203.0.9'));
    api.put(pod('bad-2', { app: 'bad' }, '10.203.0.10'));
  });

  after(async () => lab.close());

  it('looks up <ip-with-dashes>.<namespace>.pod.cluster.local per pod and wants that pod\'s IP back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-podrec-'));
    writeFileSync(join(dir, 'pod-records.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec({ getName: () => pod.name } as StartedTestContainer) };
    const [good, bad] = await executeTests('pod-records', expandTests(project.suites[0]!, ['main']), {
      clusters: new Map([['main', access]]),
      runNamespace: 'kconn-t1',
      cleanup: new CleanupRegistry(),
      keep: false,
      signal: new AbortController().signal,
      progress: () => undefined,
      readyTimeoutMs: 10_000,
    });
    expect(good).to.deep.include({ status: 'pass', expected: "resolves (2 pod records, each to its pod's own IP)" });
    expect(good!.results.map((r) => [r.spec.kind === 'dns' && r.spec.name, r.addresses])).to.deep.equal([
      ['10-203-0-7.demo.pod.cluster.local', ['10.203.0.7']],
      ['10-203-0-8.demo.pod.cluster.local', ['10.203.0.8']],
    ]);
    expect(bad!.status).to.equal('fail');
    expect(bad!.observed).to.contain('resolved 10.203.0.99').and.to.contain('dns-error nxdomain');
  });
});
