import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TestOutcome } from '../../../../harness/model/runReport.js';
import { ExecError } from '../../../../harness/probe/podExec.js';
import { CleanupRegistry } from '../../../../harness/provision/cleanup.js';
import { CAPTURE_SCRIPT } from '../../../../harness/run/diagnostics/capture.js';
import type { Collector } from '../../../../harness/run/diagnostics/collector.js';
import { DEFAULT_COLLECTORS } from '../../../../harness/run/diagnostics/collectors.js';
import { attachDiagnostics, collectTestDiagnostics } from '../../../../harness/run/diagnostics/failureDiagnostics.js';
import type { SuiteRunOptions } from '../../../../harness/run/runOptions.js';
import { MemoryKubeApi } from '../../../support/memoryKubeApi.js';
import {
  CLIENT_IP,
  CLIENT_POD,
  DNS_TEST,
  dnsFailure,
  ECHO_CLUSTER_IP,
  ECHO_POD,
  expanded,
  PROBE_COMMAND,
  type RecordedExec,
  recordedAccess,
  recordedCluster,
  TCP_TEST,
  tcpFailure,
  tinyPcap,
} from './recordedCluster.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kconn-diag-'));
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

describe('diagnostics collectors against recorded API responses', () => {
  it('a refused TCP probe to a Service: its objects, policies in words, events, the source network, kube-proxy, the CNI, a capture', async () => {
    const api = recordedCluster();
    const access = recordedAccess(api);
    const root = tmp();
    const outcome = tcpFailure();
    const d = await collectTestDiagnostics(root, ['basic', 'client-reaches-echo'], { suite: 'basic', test: expanded(TCP_TEST), outcome, from: access, to: access, runNamespace: 'kconn-ab12cd' });
    const dir = join(root, 'basic', 'client-reaches-echo');
    expect(d).to.deep.equal({ path: dir, sourceIp: CLIENT_IP });
    expect(readdirSync(dir).sort()).to.deep.equal([
      'capture.pcap', 'capture.txt', 'cni.txt', 'endpointslices.yaml', 'events.txt', 'kube-proxy.txt', 'networkpolicies.txt', 'networkpolicies.yaml',
      'services.yaml', 'source-ip-addr.txt', 'source-ip-route.txt', 'source-resolv.conf', 'summary.txt',
    ]);

    const summary = read(dir, 'summary.txt');
    expect(summary.split('\n')[0]).to.equal(
      `expected reachable, observed refused (connection refused): pod main/demo/${CLIENT_POD} (${CLIENT_IP}) -> tcp ${ECHO_CLUSTER_IP}:8080; reproduce: kubectl exec ${PROBE_COMMAND.join(' ')}`,
    );
    expect(summary).to.contain(`source: pod demo/${CLIENT_POD} container client, IP ${CLIENT_IP}, node kconn-ab12cd-main-worker\n`);
    expect(summary).to.contain('namespaces: main/demo (source and destination)\n');
    expect(summary).to.contain('  coredns: skipped: not a DNS failure\n');
    expect(summary).to.contain('  capture: capture.pcap, capture.txt\n');

    const services = read(dir, 'services.yaml');
    expect(services).to.contain(`clusterIP: ${ECHO_CLUSTER_IP}`).and.to.contain('kind: Service').and.not.to.contain('managedFields');
    const slices = read(dir, 'endpointslices.yaml');
    expect(slices.split('\n').slice(0, 2)).to.deep.equal([
      '# EndpointSlices of Service demo/echo:',
      `#   echo-xk2lp: ${'10.10.2.7'} (pod ${ECHO_POD}, node kconn-ab12cd-main-worker2, ready); ports http 8080/TCP`,
    ]);
    expect(slices).to.contain('kind: EndpointSlice').and.not.to.contain('managedFields');

    const policies = read(dir, 'networkpolicies.txt');
    expect(policies).to.contain('namespace demo: 2 NetworkPolicies\n');
    expect(policies).to.contain(
      [
        'NetworkPolicy demo/deny-ingress',
        `  selects: every pod in namespace demo (now: ${CLIENT_POD}, ${ECHO_POD})`,
        '  policy types: Ingress',
        '  ingress: denied: the selected pods are isolated and no rule lets anything in',
        '  egress: not affected by this policy',
        `  for this test: selects the source ${CLIENT_POD}: but does not restrict its egress; selects the destination ${ECHO_POD}: its ingress rules decide what may reach them`,
      ].join('\n'),
    );
    expect(policies).to.contain('    rule 1: from every pod in namespaces with name=trusted-namespace, on 8080/TCP\n');
    expect(read(dir, 'networkpolicies.yaml')).to.contain('name: deny-ingress').and.to.contain('name: allow-trusted').and.not.to.contain('managedFields');

    expect(read(dir, 'events.txt').split('\n').slice(0, 4), 'oldest first, whichever time field the producer filled in').to.deep.equal([
      'namespace demo: 3 event(s)',
      `  2025-11-25T12:00:03.120000Z Normal Scheduled Pod/${CLIENT_POD}: Successfully assigned demo/${CLIENT_POD} to kconn-ab12cd-main-worker`,
      `  2025-11-25T12:00:05Z Normal Started Pod/${ECHO_POD}: Started container echo`,
      '  2025-11-25T12:00:09Z Warning FailedToUpdateEndpoint Service/echo (x3): Failed to update endpoint demo/echo: Operation cannot be fulfilled',
    ]);

    expect(read(dir, 'source-ip-addr.txt')).to.contain(`inet ${CLIENT_IP}/24`);
    expect(read(dir, 'source-ip-route.txt')).to.match(/^default via 10\.10\.1\.1 dev eth0/);
    expect(read(dir, 'source-resolv.conf')).to.contain('nameserver 10.96.0.10');

    const kubeProxy = read(dir, 'kube-proxy.txt');
    expect(kubeProxy).to.contain('kube-proxy: 3 pod(s) labelled k8s-app=kube-proxy in namespace kube-system\n');
    expect(kubeProxy, 'logs of the source\'s and the destination\'s nodes only').to.contain('--- logs of kube-system/kube-proxy-d5xkq (container kube-proxy, node kconn-ab12cd-main-worker), last 100 lines ---');
    expect(kubeProxy).to.contain('--- logs of kube-system/kube-proxy-qz8ns (container kube-proxy, node kconn-ab12cd-main-worker2)');
    expect(kubeProxy).to.contain('"Using iptables proxy" node=w1').and.not.to.contain('node=cp');
    const cni = read(dir, 'cni.txt');
    expect(cni).to.contain('CNI kindnet: agent kindnet-cni: 3 pod(s) labelled app=kindnet in namespace kube-system\n');
    expect(cni).to.contain('  Pod kube-system/kindnet-jx7lf: Running; kindnet-cni: ready [node kconn-ab12cd-main-worker]\n');
    expect(cni).to.contain('handling current node w1').and.to.contain('handling current node w2').and.not.to.contain('handling current node cp');

    expect(readFileSync(join(dir, 'capture.pcap')).equals(tinyPcap())).to.equal(true);
    const capture = read(dir, 'capture.txt');
    expect(capture).to.contain(`packet capture in pod main/demo/${CLIENT_POD}`);
    expect(capture).to.contain(`  12:00:10.000001 eth0  Out IP ${CLIENT_IP}.40000 > ${ECHO_CLUSTER_IP}.8080: Flags [S], seq 1, length 0\n`);

    // Every command in the source went through the probes' PodExec as an argv; the capture script is a constant.
    const exec = access.execs.get(`demo/${CLIENT_POD}/client`)!;
    const capture_ = exec.argvs.find((a) => a[0] === 'bash')!;
    expect(exec.argvs.filter((a) => a[0] !== 'bash')).to.have.deep.members([['ip', 'addr'], ['ip', 'route'], ['cat', '/etc/resolv.conf']]);
    expect(capture_.slice(0, 4)).to.deep.equal(['bash', '-c', CAPTURE_SCRIPT, 'kconn-capture']);
    expect(capture_[4]).to.match(/^[0-9a-f]{16}$/);
    expect(capture_.slice(5)).to.deep.equal(['10', ...PROBE_COMMAND]);
    expect(access.execs.size, 'no exec anywhere but the source').to.equal(1);
  });

  it('a DNS failure adds CoreDNS: its pods, their logs, the kube-dns Service, and kube-system\'s policies and events', async () => {
    const api = recordedCluster();
    const access = recordedAccess(api);
    const root = tmp();
    await collectTestDiagnostics(root, ['dns', 'echo-resolves'], { suite: 'dns', test: expanded(DNS_TEST), outcome: dnsFailure(), from: access, to: access, runNamespace: 'kconn-ab12cd' });
    const dir = join(root, 'dns', 'echo-resolves');
    const coredns = read(dir, 'coredns.txt');
    expect(coredns).to.contain('CoreDNS: 2 pod(s) labelled k8s-app=kube-dns in namespace kube-system\n');
    expect(coredns).to.contain('  Pod kube-system/coredns-668d6bf9bc-9rwkt: Running; coredns: waiting CrashLoopBackOff (back-off 5m0s restarting failed container), 7 restarts [node kconn-ab12cd-main-control-plane]\n');
    expect(coredns).to.contain('[FATAL] plugin/loop: Loop (127.0.0.1:51234 -> :53) detected for zone "."');
    expect(coredns).to.contain('"A IN echo.demo.svc.cluster.local. udp 45 false 512" NOERROR');
    expect(read(dir, 'services.yaml')).to.contain('name: kube-dns').and.to.contain('clusterIP: 10.96.0.10');
    expect(read(dir, 'endpointslices.yaml')).to.contain('10.10.0.3 (pod coredns-668d6bf9bc-9rwkt, node kconn-ab12cd-main-control-plane, NOT ready)');
    expect(read(dir, 'networkpolicies.txt')).to.contain('cluster main, namespace kube-system: no NetworkPolicy, so nothing isolates its pods');
    expect(read(dir, 'summary.txt').split('\n')[0]).to.equal(
      `expected resolves, observed dns-error servfail: pod main/demo/${CLIENT_POD} (${CLIENT_IP}) -> dns A echo via the source's resolver (resolv.conf); reproduce: kubectl exec timeout 3 dig +search echo A`,
    );
    expect(read(dir, 'summary.txt')).to.contain('namespaces: main/demo (source), main/kube-system (destination)\n');
  });

  it('a collector that throws, hangs or whose exec breaks writes its error into the folder; the others still write theirs', async () => {
    class BrokenApi extends MemoryKubeApi {
      override async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string) {
        if (kind === 'Event') throw new Error('events is forbidden: User "ci" cannot list resource "events"');
        return super.list(apiVersion, kind, namespace, labelSelector);
      }
      override logs(): Promise<string> {
        return new Promise(() => undefined); // never answers
      }
    }
    const api = new BrokenApi();
    for (const o of recordedCluster().objects.values()) api.put(o);
    const access = recordedAccess(api);
    const exec = access.execFor({ namespace: 'demo', name: CLIENT_POD, container: 'client' }) as RecordedExec;
    exec.override = (argv) => {
      if (argv[1] === 'route') throw new ExecError(`exec in pod main/demo/${CLIENT_POD} did not finish within 200 ms`);
      return undefined;
    };
    const throwing: Collector = {
      name: 'throws-at-once',
      collect: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    };
    const root = tmp();
    const started = Date.now();
    await collectTestDiagnostics(
      root, ['basic', 'x'], { suite: 'basic', test: expanded(TCP_TEST), outcome: tcpFailure(), from: access, to: access, runNamespace: 'kconn-ab12cd' },
      { timeoutMs: 200, collectors: [...DEFAULT_COLLECTORS, throwing] },
    );
    expect(Date.now() - started, 'a hanging collector is cut off at its limit').to.be.lessThan(5000);
    const dir = join(root, 'basic', 'x');
    expect(read(dir, 'events.error.txt')).to.equal('events: namespace demo: could not read: events is forbidden: User "ci" cannot list resource "events"\n');
    expect(read(dir, 'kube-proxy.error.txt')).to.equal('kube-proxy: did not finish within 200 ms\n');
    expect(read(dir, 'source-ip-route.error.txt')).to.equal(`source-ip-route: exec in pod main/demo/${CLIENT_POD} did not finish within 200 ms\n`);
    expect(read(dir, 'throws-at-once.error.txt')).to.equal('throws-at-once: cannot read properties of undefined\n');
    const summary = read(dir, 'summary.txt');
    expect(summary).to.contain('  events: failed: namespace demo: could not read: events is forbidden: User "ci" cannot list resource "events" (events.error.txt)\n');
    expect(summary).to.contain('  kube-proxy: failed: did not finish within 200 ms (kube-proxy.error.txt)\n');
    for (const file of ['services.yaml', 'networkpolicies.txt', 'source-ip-addr.txt', 'source-resolv.conf', 'capture.pcap']) expect(readdirSync(dir)).to.include(file);
  });

  describe('attached to a suite\'s outcomes', () => {
    const options = (dir: string | undefined, lines: string[], api = recordedCluster()): SuiteRunOptions => {
      const access = recordedAccess(api);
      return {
        clusters: new Map([['main', access]]),
        runNamespace: 'kconn-ab12cd',
        cleanup: new CleanupRegistry(),
        keep: false,
        signal: new AbortController().signal,
        progress: (l) => lines.push(l),
        readyTimeoutMs: 1000,
        ...(dir ? { diagnosticsDir: dir } : {}),
      };
    };
    const passed: TestOutcome = { suite: 'basic', name: 'echo answers', cluster: 'main', status: 'pass', durationMs: 1, attempts: 1, results: [] };
    const skipped: TestOutcome = { suite: 'basic', name: 'policy', cluster: 'main', status: 'skip', message: 'requires networkPolicy', durationMs: 0, attempts: 0, results: [] };
    const noSource: TestOutcome = { suite: 'basic', name: 'client reaches echo', cluster: 'main', status: 'error', message: 'no running, ready pod matches app=nobody in namespace demo on cluster main', durationMs: 0, attempts: 0, results: [] };

    it('only tests that did not pass get a folder, under <dir>/diagnostics/<suite>/<test>; nothing else in an outcome changes', async () => {
      const dir = tmp();
      const lines: string[] = [];
      const tests = [expanded(TCP_TEST), expanded(TCP_TEST), expanded(TCP_TEST), expanded(TCP_TEST)];
      const outcomes = [passed, tcpFailure(), skipped, noSource];
      const result = await attachDiagnostics('basic', tests, outcomes, options(dir, lines));
      expect(result.map((o) => o.status)).to.deep.equal(['pass', 'fail', 'skip', 'error']);
      expect(result[0]).to.equal(passed);
      expect(result[2]).to.equal(skipped);
      const { diagnostics: d1, ...rest1 } = result[1]!;
      expect(rest1).to.deep.equal(outcomes[1]);
      expect(d1).to.deep.equal({ path: join(dir, 'diagnostics', 'basic', 'client-reaches-echo'), sourceIp: CLIENT_IP });
      const { diagnostics: d3, ...rest3 } = result[3]!;
      expect(rest3).to.deep.equal(noSource);
      expect(d3, 'an error without a source still gets the API side; two tests of one name, two folders').to.deep.equal({ path: join(dir, 'diagnostics', 'basic', 'client-reaches-echo-2') });
      expect(readdirSync(join(dir, 'diagnostics', 'basic')).sort()).to.deep.equal(['client-reaches-echo', 'client-reaches-echo-2']);
      const errorFolder = join(dir, 'diagnostics', 'basic', 'client-reaches-echo-2');
      expect(read(errorFolder, 'summary.txt').split('\n')[0]).to.equal('could not run: no running, ready pod matches app=nobody in namespace demo on cluster main');
      expect(read(errorFolder, 'source-ip-addr.error.txt')).to.equal('source-ip-addr: no probe ran for this test, so there is no source pod to look into\n');
      expect(read(errorFolder, 'summary.txt')).to.contain('  capture: skipped: no probe ran, so there is nothing to repeat\n');
      expect(readdirSync(errorFolder)).to.include.members(['services.yaml', 'events.txt', 'networkpolicies.txt']);
      expect(lines).to.deep.equal([
        `basic: diagnostics of "client reaches echo" in ${join(dir, 'diagnostics', 'basic', 'client-reaches-echo')}`,
        `basic: diagnostics of "client reaches echo" in ${errorFolder}`,
      ]);
    });

    it('without a diagnostics folder nothing is collected; a folder that cannot be made is a progress line, not a changed verdict', async () => {
      const lines: string[] = [];
      const outcomes = [tcpFailure()];
      const api = recordedCluster();
      const none = await attachDiagnostics('basic', [expanded(TCP_TEST)], outcomes, options(undefined, lines, api));
      expect(none).to.deep.equal(outcomes);
      expect(api.calls).to.deep.equal([]);

      const file = join(tmp(), 'reports-is-a-file');
      writeFileSync(file, '');
      const result = await attachDiagnostics('basic', [expanded(TCP_TEST)], outcomes, options(file, lines));
      expect(result).to.deep.equal(outcomes);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^basic: could not collect the diagnostics of "client reaches echo": ENOTDIR/);
    });

    it('outcomes past the suite\'s tests (a truth table\'s cells) are left alone; the tests before them still get theirs', async () => {
      const dir = tmp();
      const cell: TestOutcome = { ...tcpFailure(), name: 'x/a -> y/b 80/TCP' };
      const result = await attachDiagnostics('basic', [expanded(TCP_TEST)], [tcpFailure(), cell], options(dir, []));
      expect(result[0]!.diagnostics?.path).to.equal(join(dir, 'diagnostics', 'basic', 'client-reaches-echo'));
      expect(result[1]).to.equal(cell);
    });

    it('keeps to the first maxTests failures of a suite and says so', async () => {
      const dir = tmp();
      const lines: string[] = [];
      const result = await attachDiagnostics('basic', [1, 2, 3].map(() => expanded(TCP_TEST)), [1, 2, 3].map(() => tcpFailure()), options(dir, lines), { maxTests: 2 });
      expect(result.map((o) => o.diagnostics !== undefined)).to.deep.equal([true, true, false]);
      expect(lines.at(-1)).to.equal('basic: diagnostics kept to the first 2 tests that did not pass; 1 more have none');
    });
  });
});
