import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { StartedTestContainer } from 'testcontainers';
import { makeRunCertificates } from '../../harness/external/certificates.js';
import { EXTERNAL_NAME } from '../../harness/external/endpointConfig.js';
import { startExternalEndpoint, type ExternalEndpoint } from '../../harness/external/externalEndpoint.js';
import { loadProject } from '../../harness/load/loadProject.js';
import { RUN_LABEL } from '../../harness/model/labels.js';
import type { SuiteOutcome } from '../../harness/model/runReport.js';
import type { Suite } from '../../harness/model/suite.js';
import { runSuitesWithMocha } from '../../harness/run/mochaRun.js';
import { RUN_CA_PATH } from '../../harness/run/probeSpecs.js';
import type { RunExternalEndpoint } from '../../harness/run/runOptions.js';
import { DockerLab, requireDocker, SERVER_IMAGE } from '../support/dockerLab.js';
import { labRunOptions } from '../support/labCluster.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

class SilentReporter extends Mocha.reporters.Base {}

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: egress}
spec:
  defaults: {timeout: 3s}
  tests:
    - name: HTTP by IP
      from: {namespace: demo, selector: app=client}
      to: {external: true, port: 80, path: /hostname}
      protocol: http
      expect: {reachable: true, http: {status: 200}}
    - name: HTTPS by name, verified with the run CA
      from: {namespace: demo, selector: app=client}
      to: {host: ${EXTERNAL_NAME}, port: 443}
      protocol: https
      tls: {ca: run}
      expect: reachable
    - name: HTTPS by IP, verified with the run CA
      from: {namespace: demo, selector: app=client}
      to: {external: true, port: 443}
      protocol: https
      tls: {ca: run}
      expect: reachable
    - name: the name resolves
      from: {namespace: demo, selector: app=client}
      dns: {name: ${EXTERNAL_NAME}}
      expect: resolves
`;

/**
 * The external endpoint as a run uses it, with real packets: the endpoint container on a network of the test's own,
 * a client container as the source pod (its resolver is the endpoint's DNS, as a pod's is through CoreDNS's forward),
 * the Kubernetes API in memory. Proves target resolution to the endpoint's address, the run CA written into the source
 * through its exec, and verification against it (a wrong CA is an error, never a pass).
 */
describe('external endpoint in a suite run: resolution, run CA in the source, verified HTTPS', function () {
  this.timeout(180_000);
  const lab = new DockerLab();
  const runId = randomBytes(3).toString('hex');
  let dir: string;
  let endpoint: ExternalEndpoint | undefined;
  let client: StartedTestContainer;
  let suites: readonly Suite[];
  const api = new MemoryKubeApi();

  before(async function () {
    await requireDocker(this);
    await lab.start();
    dir = mkdtempSync(join(tmpdir(), 'kconn-external-run-'));
    endpoint = await startExternalEndpoint({ network: lab.networkName, runId, dir, images: { server: SERVER_IMAGE } });
    client = await lab.run(lab.client('client').withDns(endpoint.ip));
    api.put({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: client.getName().replace(/^\//, ''), namespace: 'demo', labels: { app: 'client' } },
      spec: { containers: [{ name: 'main' }] }, status: { phase: 'Running', podIP: lab.ip(client), conditions: [{ type: 'Ready', status: 'True' }] },
    } as never);
    writeFileSync(join(dir, 'egress.yaml'), SUITE);
    const project = await loadProject([join(dir, 'egress.yaml')]);
    expect(project.diagnostics).to.deep.equal([]);
    suites = project.suites;
  });

  after(async () => {
    await endpoint?.stop();
    await lab.close();
    const left = await lab.docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] }) });
    await Promise.allSettled(left.map((c) => lab.docker.getContainer(c.Id).remove({ force: true })));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (external: RunExternalEndpoint | undefined): Promise<SuiteOutcome> => {
    const [outcome] = await runSuitesWithMocha([{ name: 'egress', file: 'egress.yaml', status: 'run', tests: 4 }], suites, ['main'], {
      ...labRunOptions(lab, api, external ? { external } : {}),
      reporter: SilentReporter,
    });
    return outcome!;
  };
  const statuses = (o: SuiteOutcome): Record<string, string> => Object.fromEntries(o.tests.map((t) => [t.name, t.status]));

  it('with the run CA: HTTP by IP, HTTPS by name and by IP verified, the name resolves; the CA is in the source', async () => {
    const ep = endpoint!;
    const o = await run({ ip: ep.ip, name: ep.name, caPem: ep.caPem, dnsWaitMs: 20_000 });
    expect(statuses(o), JSON.stringify(o.tests.map((t) => t.observed))).to.deep.equal({
      'HTTP by IP': 'pass',
      'HTTPS by name, verified with the run CA': 'pass',
      'HTTPS by IP, verified with the run CA': 'pass',
      'the name resolves': 'pass',
    });
    const byName = Object.fromEntries(o.tests.map((t) => [t.name, t]));
    expect(byName['HTTP by IP']!.results[0]!.spec).to.deep.include({ host: ep.ip, port: 80 });
    const https = byName['HTTPS by name, verified with the run CA']!.results[0]!;
    expect(https.spec).to.deep.include({ host: EXTERNAL_NAME, caFile: RUN_CA_PATH });
    expect(https.httpStatus).to.equal(200);
    expect(byName['HTTPS by IP, verified with the run CA']!.results[0]!.spec).to.deep.include({ host: ep.ip, port: 443, caFile: RUN_CA_PATH });
    expect(byName['the name resolves']!.results[0]!.addresses).to.deep.equal([ep.ip]);
    expect(await lab.sh(client, ['cat', RUN_CA_PATH])).to.equal(ep.caPem);
  });

  it('with a wrong CA: the verified HTTPS tests fail, their certificates rejected (curl exit 60), HTTP still passes', async () => {
    const ep = endpoint!;
    const other = await makeRunCertificates({ dir: join(dir, 'other'), runId: 'other', name: EXTERNAL_NAME, ip: ep.ip });
    const o = await run({ ip: ep.ip, name: ep.name, caPem: other.caPem, dnsWaitMs: 20_000 });
    expect(statuses(o)).to.deep.equal({
      'HTTP by IP': 'pass',
      'HTTPS by name, verified with the run CA': 'fail',
      'HTTPS by IP, verified with the run CA': 'fail',
      'the name resolves': 'pass',
    });
    for (const t of o.tests.filter((x) => x.status === 'fail')) expect(t.observed).to.match(/certificate rejected \(its certificate does not verify against \/tmp\/kconn-run-ca\.pem \(curl exit 60\)/);
    expect(await lab.sh(client, ['cat', RUN_CA_PATH])).to.equal(other.caPem);
  });

  it('without an endpoint in the run: every test of it is an error saying so', async () => {
    const o = await run(undefined);
    expect(statuses(o)).to.deep.equal({
      'HTTP by IP': 'error',
      'HTTPS by name, verified with the run CA': 'error',
      'HTTPS by IP, verified with the run CA': 'error',
      'the name resolves': 'error',
    });
    expect(o.tests[0]!.message).to.equal("this test needs the run's external endpoint, and this run has none");
  });
});
