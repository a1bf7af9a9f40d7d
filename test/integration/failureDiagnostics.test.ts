import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import type { StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import type { SuiteOutcome } from '../../harness/model/runReport.js';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import { renderJunitXml } from '../../harness/report/junitXml.js';
import { renderResultsJson } from '../../harness/report/resultsJson.js';
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
    - name: "a closed port / wrongly expected reachable"
      from: {namespace: demo, selector: app=client}
      to: {service: demo/echo, port: 9}
      expect: reachable
`;

/** An API that refuses events and whose logs calls fail: collectors that throw must not change any verdict. */
class GrudgingApi extends MemoryKubeApi {
  override async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string) {
    if (kind === 'Event') throw new Error('events is forbidden');
    return super.list(apiVersion, kind, namespace, labelSelector);
  }
}

/**
 * Diagnostics with real containers: a probe that fails from a real client container leaves a folder with the source's
 * ip addr, ip route and resolv.conf, a packet capture of the probe repeated once that tcpdump can read, and its
 * summary; the failure line names the source's IP and the destination; collectors that fail change nothing.
 */
describe('diagnostics on failure: real containers', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  let client: StartedTestContainer;
  let server: StartedTestContainer;
  const api = new GrudgingApi();

  before(async function () {
    await requireDocker(this);
    await lab.start();
    [client, server] = await Promise.all([lab.run(lab.client('client')), lab.run(lab.server('server'))]);
    const pod = (name: string, labels: Record<string, string>, ip: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo', labels }, spec: { containers: [{ name: 'main' }] },
      status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    api.put(pod(client.getName().replace(/^\//, ''), { app: 'client' }, lab.ip(client)));
    api.put(pod('echo-1', { app: 'echo' }, lab.ip(server)));
    // No kube-proxy here: the "ClusterIP" is the backend's address.
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: lab.ip(server) } } as never);
  });

  after(async () => lab.close());

  async function run(diagnosticsDir?: string): Promise<{ outcome: SuiteOutcome; lines: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-suite-'));
    writeFileSync(join(dir, 'lab.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec({ getName: () => pod.name } as StartedTestContainer) };
    const lines: string[] = [];
    const [outcome] = await runSuitesWithMocha([{ name: 'lab', file: 'lab.yaml', status: 'run', tests: 2 }], project.suites, ['main'], {
      clusters: new Map([['main', access]]),
      runNamespace: 'kconn-t1',
      cleanup: new CleanupRegistry(),
      keep: false,
      signal: new AbortController().signal,
      progress: (l) => lines.push(l),
      readyTimeoutMs: 10_000,
      reporter: SilentReporter,
      ...(diagnosticsDir ? { diagnosticsDir } : {}),
    });
    return { outcome: outcome!, lines };
  }

  it('a failing probe leaves ip addr, ip route, resolv.conf, a readable .pcap and its summary; the verdicts stay as they were', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'kconn-reports-'));
    const without = await run();
    const { outcome } = await run(reports);
    const clientIp = lab.ip(client);
    const serverIp = lab.ip(server);

    const strip = (o: SuiteOutcome) => o.tests.map((t) => ({ name: t.name, status: t.status, expected: t.expected, observed: t.observed, attempts: t.attempts }));
    expect(strip(outcome)).to.deep.equal(strip(without.outcome));
    expect(outcome.tests.map((t) => t.status)).to.deep.equal(['pass', 'fail']);
    const [passed, failed] = outcome.tests;
    expect(passed!.diagnostics).to.equal(undefined);
    const folder = join(reports, 'diagnostics', 'lab', 'a-closed-port-wrongly-expected-reachable');
    expect(failed!.diagnostics).to.deep.equal({ path: folder, sourceIp: clientIp });
    expect(readdirSync(join(reports, 'diagnostics', 'lab')), 'nothing for the test that passed').to.deep.equal(['a-closed-port-wrongly-expected-reachable']);

    const read = (f: string): string => readFileSync(join(folder, f), 'utf8');
    expect(read('source-ip-addr.txt')).to.contain(`inet ${clientIp}/`);
    expect(read('source-ip-route.txt')).to.match(/ dev eth0 /);
    expect(read('source-resolv.conf')).to.match(/^nameserver /m);
    expect(read('events.error.txt'), 'a collector that throws writes its error').to.equal('events: namespace demo: could not read: events is forbidden\n');
    expect(read('summary.txt')).to.contain('  events: failed: namespace demo: could not read: events is forbidden (events.error.txt)\n');

    // The capture: non-empty, and tcpdump (inside the client container: the host may not have it) reads it.
    expect(statSync(join(folder, 'capture.pcap')).size).to.be.greaterThan(24);
    await client.copyContentToContainer([{ content: readFileSync(join(folder, 'capture.pcap')), target: '/tmp/from-host.pcap' }]);
    const packets = await lab.sh(client, ['tcpdump', '-r', '/tmp/from-host.pcap', '-nn']);
    const syn = `IP ${clientIp}.`;
    expect(packets).to.match(new RegExp(`${syn.replace(/\./g, '\\.')}\\d+ > ${serverIp.replace(/\./g, '\\.')}\\.9: Flags \\[S\\]`));
    expect(packets).to.match(new RegExp(`IP ${serverIp.replace(/\./g, '\\.')}\\.9 > ${clientIp.replace(/\./g, '\\.')}\\.\\d+: Flags \\[R\\.\\]`));
    const summary = read('capture.txt');
    expect(summary).to.contain(`packet capture in docker:${client.getName().replace(/^\//, '')}`);
    expect(summary).to.match(new RegExp(`> ${serverIp.replace(/\./g, '\\.')}\\.9: Flags \\[S\\]`));
    expect(summary).to.match(/probe exit code: [1-9]/);

    // The failure line: expected vs observed, source (IP) -> destination (IP and port), the command; JUnit and results.json carry the folder.
    const source = `docker:${client.getName().replace(/^\//, '')}`;
    expect(failed!.observed).to.match(new RegExp(`^refused \\(connection refused\\).* from ${source}$`));
    const observed = failed!.observed!.slice(0, -` from ${source}`.length);
    const line = `expected reachable, observed ${observed}: ${source} (${clientIp}) -> tcp ${serverIp}:9; reproduce: ${failed!.reproduce}`;
    // The reproduce command is the probe's own bash script, several lines long.
    expect(read('summary.txt').startsWith(`${line}\n`)).to.equal(true);
    const report = { runId: 't1', topology: 'lab', kindVersion: 'v0', kubernetesVersion: 'v0', clusters: [], startedAt: '2025-11-25T12:00:00Z', finishedAt: '2025-11-25T12:00:01Z', suites: [outcome] };
    const xml = renderJunitXml(report);
    expect(xml).to.contain(`message="${line.slice(0, line.indexOf('reproduce: ') + 'reproduce: docker exec '.length).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`);
    expect(xml).to.contain(`diagnostics: ${folder} (source IP ${clientIp})\n`);
    const json = JSON.parse(renderResultsJson(report)) as { suites: { tests: { diagnostics?: unknown }[] }[] };
    expect(json.suites[0]!.tests[1]!.diagnostics).to.deep.equal({ path: folder, sourceIp: clientIp });
  });
});
