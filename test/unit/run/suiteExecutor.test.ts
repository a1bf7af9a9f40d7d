import { expect } from 'chai';
import type { ConnectivityTest } from '../../../harness/model/suite.js';
import type { ExecResult, PodExec } from '../../../harness/probe/podExec.js';
import { CleanupRegistry } from '../../../harness/provision/cleanup.js';
import { executeTests } from '../../../harness/run/suiteExecutor.js';
import type { ClusterAccess, SuiteRunOptions } from '../../../harness/run/runOptions.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const S = 1_700_000_000_000_000;
const run = (name: string, rc: number, tookMs: number, timer?: [number, number]) =>
  `KCONN-RUN ${name} ${rc} ${S} ${S} ${S + tookMs * 1000} 1 ${timer ? `${S + timer[0] * 1000} ${S + timer[1] * 1000}` : '0 0'} _ 0 - -`;

const test = (name: string, service: string, outcome: 'reachable' | 'blocked'): ConnectivityTest => ({
  type: 'connectivity',
  name,
  from: { namespace: 'demo', selector: 'app=client' },
  to: { kind: 'service', namespace: 'demo', name: service, port: 8080 },
  protocol: 'tcp',
  expect: { kind: 'connectivity', outcome },
  timeoutMs: 1000,
  attempts: 1,
  source: { file: 's.yaml', doc: 0, path: [] },
});

function cluster(withDns: boolean) {
  const api = new MemoryKubeApi();
  api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client-1', namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.10.0.5', conditions: [{ type: 'Ready', status: 'True' }] } } as never);
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: '10.110.0.20' } } as never);
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'sink', namespace: 'demo' }, spec: { clusterIP: '10.110.0.30' } } as never);
  if (withDns) {
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] } } as never);
  }
  const scripts: string[] = [];
  const exec: PodExec = {
    source: 'pod main/demo/client-1',
    reproduce: (argv) => argv.join(' '),
    exec: async (argv): Promise<ExecResult> => {
      scripts.push(argv[2]!);
      const lines = [run('0', 0, 12), run('1', 124, 1009, [3, 1005]), ...(withDns ? [run('c0', 0, 2), run('c1', 0, 2)] : ['KCONN-LONE 1 -', run('1.L', 124, 1004, [2, 1003])])];
      return { exitCode: 0, stdout: `${lines.join('\n')}\nKCONN-END\n`, stderr: '' };
    },
  };
  const access: ClusterAccess = { name: 'main', api, execFor: () => exec };
  const opts: SuiteRunOptions = {
    clusters: new Map([['main', access]]),
    runNamespace: 'kconn-t1',
    cleanup: new CleanupRegistry(),
    keep: false,
    signal: new AbortController().signal,
    progress: () => undefined,
    readyTimeoutMs: 1000,
  };
  return { opts, scripts };
}

const tests = [test('reaches echo', 'echo', 'reachable'), test('sink is blocked', 'sink', 'blocked')].map((t) => ({ name: t.name, test: t, fromCluster: 'main', toCluster: 'main' }));

describe('suite executor: control target and durations', () => {
  it('every batch from a cluster carries the cluster DNS service (TCP) as its control; each test has its own duration', async () => {
    const { opts, scripts } = cluster(true);
    const outcomes = await executeTests('s', tests, opts);
    expect(scripts).to.have.length(1);
    expect(scripts[0]).to.match(/^C=\(0 0 0 0 '' -- kconn_tcp 10\.96\.0\.10 53 1\)$/m);
    expect(outcomes.map((o) => [o.name, o.status, o.durationMs])).to.deep.equal([
      ['reaches echo', 'pass', 12],
      ['sink is blocked', 'pass', 1009],
    ]);
    expect(outcomes[1]!.results[0]!.evidence!.controls.map((c) => c.target)).to.deep.equal(['tcp 10.96.0.10:53', 'tcp 10.96.0.10:53']);
  });

  it('a cluster without kube-dns gives no control: the negative is confirmed by a lone re-run, and its time counts', async () => {
    const { opts, scripts } = cluster(false);
    const outcomes = await executeTests('s', tests, opts);
    expect(scripts[0]).to.not.match(/^C=\(/m);
    expect(outcomes.map((o) => [o.status, o.durationMs])).to.deep.equal([['pass', 12], ['pass', 1009 + 1004]]);
    expect(outcomes[1]!.results[0]!.evidence).to.deep.include({ alone: true, controls: [] });
  });
});

describe('suite executor: a pass on a retry', () => {
  it('is flaky, and keeps what its first failed attempt saw', async () => {
    const { opts } = cluster(true);
    let calls = 0;
    const exec: PodExec = {
      source: 'pod main/demo/client-1',
      reproduce: (argv) => argv.join(' '),
      exec: async (): Promise<ExecResult> => {
        calls++;
        // first attempt: the connector fails (exit 1); second: it connects
        const lines = [run('0', calls === 1 ? 1 : 0, 12)];
        return { exitCode: 0, stdout: `${lines.join('\n')}\nKCONN-END\n`, stderr: '' };
      },
    };
    const clusters = new Map([['main', { ...opts.clusters.get('main')!, execFor: () => exec }]]);
    const retried = [{ ...tests[0]!, test: { ...tests[0]!.test, attempts: 2 } }];
    const [outcome] = await executeTests('s', retried, { ...opts, clusters });
    expect(calls).to.equal(2);
    expect(outcome).to.deep.include({ status: 'pass', attempts: 2, flaky: true });
    expect(outcome!.firstFailure).to.match(/^attempt 1: .+ from pod main\/demo\/client-1$/);
    expect(outcome!.firstFailure).to.not.equal(`attempt 1: ${outcome!.observed}`);
    expect(outcome!.observed).to.match(/^connected/);
  });
});

describe('suite executor: the client address an answer names', () => {
  // Two sources; the server answers each with the address it saw: client-1's own, and a node's for client-2 (SNAT).
  function clientIpCluster() {
    const api = new MemoryKubeApi();
    for (const [name, ip] of [['client-1', '10.10.0.5'], ['client-2', '10.10.0.6']] as const) {
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'demo', labels: { app: 'client' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } } as never);
    }
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: '10.110.0.20' } } as never);
    const seen: Record<string, string> = { 'client-1': '10.10.0.5:40000', 'client-2': '172.18.0.2:40001' };
    const execFor = (pod: { name: string }): PodExec => ({
      source: `pod main/demo/${pod.name}`,
      reproduce: (argv) => argv.join(' '),
      exec: async (): Promise<ExecResult> => {
        const out = Buffer.from(`${seen[pod.name]}\nKCONN-HTTP 200 0.002\n`).toString('base64');
        // Both tests' probes (0: kept, 1: replaced) get the same answer from a source.
        const lines = [0, 1].map((k) => `KCONN-RUN ${k} 0 ${S} ${S} ${S + 2000} 1 0 0 _ 0 ${out} -`);
        return { exitCode: 0, stdout: `${lines.join('\n')}\nKCONN-END\n`, stderr: '' };
      },
    });
    const opts: SuiteRunOptions = {
      clusters: new Map([['main', { name: 'main', api, execFor } as ClusterAccess]]),
      runNamespace: 'kconn-t1',
      cleanup: new CleanupRegistry(),
      keep: false,
      signal: new AbortController().signal,
      progress: () => undefined,
      readyTimeoutMs: 1000,
    };
    return opts;
  }
  const clientIpTest = (clientAddress: 'kept' | 'replaced'): ConnectivityTest => ({
    ...test(`client address ${clientAddress}`, 'echo', 'reachable'),
    to: { kind: 'service', namespace: 'demo', name: 'echo', port: 8080, path: '/clientip' },
    protocol: 'http',
    expect: { kind: 'connectivity', outcome: 'reachable', httpStatus: 200, clientAddress },
  });

  it("compares each source's answer with that source's own IP", async () => {
    const [kept, replaced] = await executeTests(
      's',
      (['kept', 'replaced'] as const).map((c) => ({ name: c, test: clientIpTest(c), fromCluster: 'main', toCluster: 'main' })),
      clientIpCluster(),
    );
    expect(kept).to.deep.include({ status: 'fail', expected: "reachable with HTTP 200, the server sees the source's own address" });
    expect(kept!.observed).to.contain("the server saw 172.18.0.2, not the source's 10.10.0.6");
    expect(replaced).to.deep.include({ status: 'fail' });
    expect(replaced!.observed).to.contain("the server saw the source's own address 10.10.0.5");
  });
});
