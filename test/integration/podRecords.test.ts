import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Wait, type StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import { expandTests } from '../../harness/run/expandTests.js';
import { executeTests } from '../../harness/run/suiteExecutor.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { containerPod, labRunOptions, readyPod } from '../support/labCluster.js';
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
    api.put(containerPod(client, { app: 'client' }, lab));
    api.put(readyPod('good-1', { app: 'good' }, '10.203.0.7'));
    api.put(readyPod('good-2', { app: 'good' }, '10.203.0.8'));
    api.put(readyPod('bad-1', { app: 'bad' }, '10.203.0.9'));
    api.put(readyPod('bad-2', { app: 'bad' }, '10.203.0.10'));
  });

  after(async () => lab.close());

  it('looks up <ip-with-dashes>.<namespace>.pod.cluster.local per pod and wants that pod\'s IP back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-podrec-'));
    writeFileSync(join(dir, 'pod-records.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    const [good, bad] = await executeTests('pod-records', expandTests(project.suites[0]!, ['main']), labRunOptions(lab, api));
    expect(good).to.deep.include({ status: 'pass', expected: "resolves (2 pod records, each to its pod's own IP)" });
    expect(good!.results.map((r) => [r.spec.kind === 'dns' && r.spec.name, r.addresses])).to.deep.equal([
      ['10-203-0-7.demo.pod.cluster.local', ['10.203.0.7']],
      ['10-203-0-8.demo.pod.cluster.local', ['10.203.0.8']],
    ]);
    expect(bad!.status).to.equal('fail');
    expect(bad!.observed).to.contain('resolved 10.203.0.99').and.to.contain('dns-error nxdomain');
  });
});
