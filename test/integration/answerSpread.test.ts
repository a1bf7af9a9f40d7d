import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import type { StartedTestContainer } from 'testcontainers';
import { loadProject } from '../../harness/load/loadProject.js';
import { expandTests } from '../../harness/run/expandTests.js';
import { executeTests } from '../../harness/run/suiteExecutor.js';
import { DockerLab, requireDocker } from '../support/dockerLab.js';
import { containerPod, labRunOptions, readyPod } from '../support/labCluster.js';
import { MemoryKubeApi } from '../support/memoryKubeApi.js';

// Virtual service addresses (TEST-NET-2, RFC 5737): they exist only in the client's own NAT table.
const EVERY_VIP = '198.51.100.10';
const PAIR_VIP = '198.51.100.20';

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: spread}
spec:
  defaults: {timeout: 2s}
  tests:
    - name: every backend answers
      from: {namespace: demo, selector: app=client}
      to: {service: demo/spread, port: 8080, path: /hostname}
      protocol: http
      requests: 30
      expect: {reachable: true, answeredBy: {every: pod}}
    - name: one backend never gets traffic
      from: {namespace: demo, selector: app=client}
      to: {service: demo/pair, port: 8080, path: /hostname}
      protocol: http
      requests: 30
      expect: {reachable: true, answeredBy: {every: pod}}
    - name: two thirds v1, one third v2
      from: {namespace: demo, selector: app=client}
      to: {service: demo/spread, port: 8080, path: /hostname}
      protocol: http
      requests: 60
      expect: {reachable: true, answeredBy: {by: label:version, shares: {v1: 66.67, v2: 33.33}, confidence: 0.99999}}
    - name: only v1 behind the pair
      from: {namespace: demo, selector: app=client}
      to: {service: demo/pair, port: 8080, path: /hostname}
      protocol: http
      requests: 30
      expect: {reachable: true, answeredBy: {by: label:version, shares: {v1: 100, v2: 0}}}
    - name: a 50/50 split wrongly expected from the pair
      from: {namespace: demo, selector: app=client}
      to: {service: demo/pair, port: 8080, path: /hostname}
      protocol: http
      requests: 30
      expect: {reachable: true, answeredBy: {by: label:version, shares: {v1: 50, v2: 50}}}
`;

/**
 * Tallied answers with real packets: three echo servers behind virtual addresses that the client's own netfilter
 * spreads at random (the DNAT rules kube-proxy's iptables mode writes: -m statistic --mode random), one of them
 * over two servers only. Proves the repeated requests, the backends taken from the Service's selector, and both
 * verdicts (every, shares) on real answers.
 */
describe('tallied answers: requests spread by netfilter over real servers', function () {
  this.timeout(120_000);
  const lab = new DockerLab();
  let client: StartedTestContainer;
  let servers: StartedTestContainer[];
  const api = new MemoryKubeApi();

  before(async function () {
    await requireDocker(this);
    await lab.start();
    [client, ...servers] = await Promise.all([lab.run(lab.client('client')), ...['s1', 's2', 's3'].map((s) => lab.run(lab.server(s)))]);
    const pid = String((await lab.docker.getContainer(client.getId()).inspect()).State.Pid);
    const nat = async (args: string[]): Promise<void> => {
      await execa('nsenter', ['-t', pid, '-n', 'iptables', '-t', 'nat', '-A', 'OUTPUT', ...args]);
    };
    const spread = async (vip: string, backends: StartedTestContainer[]): Promise<void> => {
      for (const [i, b] of backends.entries()) {
        const left = backends.length - i;
        const pick = left > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(5)] : [];
        await nat(['-d', vip, '-p', 'tcp', '--dport', '8080', ...pick, '-j', 'DNAT', '--to-destination', `${lab.ip(b)}:8080`]);
      }
    };
    // The virtual addresses leave by the lab network's interface (the client may also sit on Docker's default
    // bridge, whose default route would pick the wrong source address), as a ClusterIP leaves by the pod's interface.
    const via = /dev (\S+) src (\S+)/.exec((await execa('nsenter', ['-t', pid, '-n', 'ip', 'route', 'get', lab.ip(servers[0]!)])).stdout)!;
    await execa('nsenter', ['-t', pid, '-n', 'ip', 'route', 'add', '198.51.100.0/24', 'dev', via[1]!, 'src', via[2]!]);
    await spread(EVERY_VIP, servers);
    await spread(PAIR_VIP, servers.slice(0, 2));
    api.put(containerPod(client, { app: 'client' }, lab));
    // Backends are named as they answer /hostname; s1 and s2 are v1, s3 is v2.
    servers.forEach((s, i) => api.put(readyPod(s.getHostname(), { app: 'echo', version: i < 2 ? 'v1' : 'v2' }, lab.ip(s))));
    for (const [name, vip] of [['spread', EVERY_VIP], ['pair', PAIR_VIP]] as const) {
      api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'demo' }, spec: { clusterIP: vip, selector: { app: 'echo' } } } as never);
    }
  });

  after(async () => lab.close());

  it('counts who answered each request and judges every and shares', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-spread-'));
    writeFileSync(join(dir, 'spread.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    const outcomes = await executeTests('spread', expandTests(project.suites[0]!, ['main']), labRunOptions(lab, api));
    const byName = Object.fromEntries(outcomes.map((o) => [o.name, o]));
    expect(Object.fromEntries(outcomes.map((o) => [o.name, o.status]))).to.deep.equal({
      'every backend answers': 'pass',
      'one backend never gets traffic': 'fail',
      'two thirds v1, one third v2': 'pass',
      'only v1 behind the pair': 'pass',
      'a 50/50 split wrongly expected from the pair': 'fail',
    });
    const [s1, s2, s3] = servers.map((s) => s.getHostname());
    expect(byName['every backend answers']!.results).to.have.length(30);
    expect(new Set(byName['every backend answers']!.results.map((r) => r.backend))).to.deep.equal(new Set([s1, s2, s3]));
    expect(byName['one backend never gets traffic']!.observed).to.contain(`never answered: ${s3}`);
    expect(byName['one backend never gets traffic']!.expected).to.equal(`reachable, every pod answers at least once in 30 requests (3: ${[s1, s2, s3].sort().join(', ')})`);
    expect(byName['a 50/50 split wrongly expected from the pair']!.observed).to.match(/^30 answers: v1 30; outside the tolerance: v1 30 of 30, expected \d+-\d+ \(50%\); v2 0 of 30, expected \d+-\d+ \(50%\) from docker:/);
    expect(byName['two thirds v1, one third v2']!.results).to.have.length(60);
  });
});
