import type { KubernetesObject } from '@kubernetes/client-node';
import type { ProbeResult } from '../../../../harness/model/probe.js';
import type { TestOutcome } from '../../../../harness/model/runReport.js';
import type { SuiteTest } from '../../../../harness/model/suite.js';
import type { ExecResult, PodExec } from '../../../../harness/probe/podExec.js';
import type { ExpandedTest } from '../../../../harness/run/expandTests.js';
import type { ClusterAccess, PodRef } from '../../../../harness/run/runOptions.js';
import { MemoryKubeApi } from '../../../support/memoryKubeApi.js';

/**
 * A two-node kind cluster (kindnet, kube-proxy in iptables mode) as its API server answered `kubectl get -o json`,
 * trimmed to the fields kconn reads plus some of the bookkeeping a live object carries (uid, managedFields...).
 */
const W1 = 'kconn-ab12cd-main-worker';
const W2 = 'kconn-ab12cd-main-worker2';
const CP = 'kconn-ab12cd-main-control-plane';
const managedFields = [{ manager: 'kconn', operation: 'Apply', apiVersion: 'v1', time: '2025-11-25T12:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];

function pod(namespace: string, name: string, labels: Record<string, string>, node: string, ip: string, containers: string[], waiting?: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, uid: `uid-${name}`, resourceVersion: '812', creationTimestamp: '2025-11-25T12:00:03Z' },
    spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: `example/${c}:1` })) },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: '172.18.0.3',
      conditions: [
        { type: 'Ready', status: waiting ? 'False' : 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: containers.map((c) =>
        waiting
          ? { name: c, ready: false, restartCount: 7, state: { waiting: { reason: waiting, message: 'back-off 5m0s restarting failed container' } } }
          : { name: c, ready: true, restartCount: 0, state: { running: { startedAt: '2025-11-25T12:00:05Z' } } },
      ),
    },
  };
}

export const CLIENT_POD = 'client-7c9d5b6f4-x2vqk';
export const ECHO_POD = 'echo-5f6d8c7b9-8kqzn';
export const CLIENT_IP = '10.10.1.5';
export const ECHO_IP = '10.10.2.7';
export const ECHO_CLUSTER_IP = '10.110.4.20';

export function recordedCluster(): MemoryKubeApi {
  const api = new MemoryKubeApi();
  // Written as JSON (timestamps are strings): cast to KubernetesObject, whose model types say Date.
  const objects: unknown[] = [
    pod('demo', CLIENT_POD, { app: 'client', 'pod-template-hash': '7c9d5b6f4' }, W1, CLIENT_IP, ['client']),
    pod('demo', ECHO_POD, { app: 'echo', 'pod-template-hash': '5f6d8c7b9' }, W2, ECHO_IP, ['echo']),
    pod('kube-system', 'coredns-668d6bf9bc-4xj2p', { 'k8s-app': 'kube-dns' }, CP, '10.10.0.2', ['coredns']),
    pod('kube-system', 'coredns-668d6bf9bc-9rwkt', { 'k8s-app': 'kube-dns' }, CP, '10.10.0.3', ['coredns'], 'CrashLoopBackOff'),
    pod('kube-system', 'kube-proxy-7hmlw', { 'k8s-app': 'kube-proxy' }, CP, '172.18.0.2', ['kube-proxy']),
    pod('kube-system', 'kube-proxy-d5xkq', { 'k8s-app': 'kube-proxy' }, W1, '172.18.0.3', ['kube-proxy']),
    pod('kube-system', 'kube-proxy-qz8ns', { 'k8s-app': 'kube-proxy' }, W2, '172.18.0.4', ['kube-proxy']),
    pod('kube-system', 'kindnet-4m2zs', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }, CP, '172.18.0.2', ['kindnet-cni']),
    pod('kube-system', 'kindnet-jx7lf', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }, W1, '172.18.0.3', ['kindnet-cni']),
    pod('kube-system', 'kindnet-wq9vb', { app: 'kindnet', 'k8s-app': 'kindnet', tier: 'node' }, W2, '172.18.0.4', ['kindnet-cni']),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo', namespace: 'demo', uid: 'uid-svc-echo', labels: { 'kconn.dev/run': 'ab12cd' }, managedFields },
      spec: { type: 'ClusterIP', clusterIP: ECHO_CLUSTER_IP, clusterIPs: [ECHO_CLUSTER_IP], selector: { app: 'echo' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }] },
      status: { loadBalancer: {} },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'echo-xk2lp', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'echo', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: [{ kind: 'Service', name: 'echo' }], managedFields },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ECHO_IP], conditions: { ready: true, serving: true, terminating: false }, nodeName: W2, targetRef: { kind: 'Pod', name: ECHO_POD, namespace: 'demo', uid: `uid-${ECHO_POD}` } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } },
      spec: { clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kube-dns-hh7xq', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'kube-dns' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.10.0.2'], conditions: { ready: true }, nodeName: CP, targetRef: { kind: 'Pod', name: 'coredns-668d6bf9bc-4xj2p', namespace: 'kube-system' } },
        { addresses: ['10.10.0.3'], conditions: { ready: false }, nodeName: CP, targetRef: { kind: 'Pod', name: 'coredns-668d6bf9bc-9rwkt', namespace: 'kube-system' } },
      ],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }],
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-ingress', namespace: 'demo', generation: 1, managedFields },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-trusted', namespace: 'demo', generation: 1 },
      spec: { podSelector: { matchLabels: { app: 'echo' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'trusted-namespace' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
    },
    // Events as the API lists them: core v1, newest not necessarily last, some with series (events.k8s.io producers).
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ECHO_POD}.187b2`, namespace: 'demo' },
      involvedObject: { kind: 'Pod', name: ECHO_POD, namespace: 'demo' },
      reason: 'Started',
      message: 'Started container echo',
      type: 'Normal',
      count: 1,
      firstTimestamp: '2025-11-25T12:00:05Z',
      lastTimestamp: '2025-11-25T12:00:05Z',
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${CLIENT_POD}.187a9`, namespace: 'demo' },
      involvedObject: { kind: 'Pod', name: CLIENT_POD, namespace: 'demo' },
      reason: 'Scheduled',
      message: `Successfully assigned demo/${CLIENT_POD} to ${W1}`,
      type: 'Normal',
      eventTime: '2025-11-25T12:00:03.120000Z',
      firstTimestamp: null,
      lastTimestamp: null,
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'echo.187c1', namespace: 'demo' },
      involvedObject: { kind: 'Service', name: 'echo', namespace: 'demo' },
      reason: 'FailedToUpdateEndpoint',
      message: 'Failed to update endpoint demo/echo: Operation cannot be fulfilled',
      type: 'Warning',
      count: 3,
      firstTimestamp: '2025-11-25T12:00:04Z',
      lastTimestamp: '2025-11-25T12:00:09Z',
    },
  ];
  for (const o of objects) api.put(o as KubernetesObject);
  api.podLogs.set('kube-system/coredns-668d6bf9bc-4xj2p/coredns', '.:53\n[INFO] plugin/reload: Running configuration SHA512 = 1b22\nCoreDNS-1.12.0\n[INFO] 10.10.1.5:52345 - 1234 "A IN echo.demo.svc.cluster.local. udp 45 false 512" NOERROR qr,aa,rd 100 0.0001s\n');
  api.podLogs.set('kube-system/coredns-668d6bf9bc-9rwkt/coredns', '[FATAL] plugin/loop: Loop (127.0.0.1:51234 -> :53) detected for zone "."\n');
  for (const [p, n] of [['kube-proxy-7hmlw', 'cp'], ['kube-proxy-d5xkq', 'w1'], ['kube-proxy-qz8ns', 'w2']] as const) {
    api.podLogs.set(`kube-system/${p}/kube-proxy`, `I1125 12:00:01.000000       1 server_linux.go:66] "Using iptables proxy" node=${n}\nI1125 12:00:02.000000       1 proxier.go:805] "SyncProxyRules complete" elapsed="12ms"\n`);
  }
  for (const [p, n] of [['kindnet-4m2zs', 'cp'], ['kindnet-jx7lf', 'w1'], ['kindnet-wq9vb', 'w2']] as const) {
    api.podLogs.set(`kube-system/${p}/kindnet-cni`, `I1125 12:00:01.000000       1 main.go:301] handling current node ${n}\n`);
  }
  return api;
}

/** What `ip addr`, `ip route` and `cat /etc/resolv.conf` print in the client pod (netshoot, kindnet veth). */
export const SOURCE_OUTPUT: Readonly<Record<string, string>> = {
  'ip addr': `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default\n    inet ${CLIENT_IP}/24 brd 10.10.1.255 scope global eth0\n`,
  'ip route': 'default via 10.10.1.1 dev eth0\n10.10.1.0/24 via 10.10.1.1 dev eth0 src 10.10.1.5\n10.10.1.1 dev eth0 scope link src 10.10.1.5\n',
  'cat /etc/resolv.conf': 'search demo.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
};

/** A tiny pcap: the global header (microseconds, little endian, LINUX_SLL2) and one 40-byte IPv4 TCP SYN. */
export function tinyPcap(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(512, 16);
  header.writeUInt32LE(276, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(1764072000, 0);
  record.writeUInt32LE(40, 8);
  record.writeUInt32LE(40, 12);
  return Buffer.concat([header, record, Buffer.alloc(40)]);
}

/** A PodExec that answers like the client pod, and records every argv it is asked to run. */
export class RecordedExec implements PodExec {
  readonly argvs: string[][] = [];
  /** Lets a test break one command: return a result, or throw. */
  override: (argv: readonly string[]) => ExecResult | undefined = () => undefined;

  constructor(readonly source: string) {}

  async exec(argv: readonly string[], _timeoutMs: number): Promise<ExecResult> {
    this.argvs.push([...argv]);
    const overridden = this.override(argv);
    if (overridden) return overridden;
    const known = SOURCE_OUTPUT[argv.join(' ')];
    if (known !== undefined) return { exitCode: 0, stdout: known, stderr: '' };
    if (argv[0] === 'bash' && argv[3] === 'kconn-capture') {
      const nonce = argv[4]!;
      const mark = (name: string): string => `\n--${nonce}-- ${name}\n`;
      const stdout = [
        mark('probe-exit'), '1',
        mark('probe-output'), `${ECHO_CLUSTER_IP}: connect: Connection refused`,
        mark('tcpdump'), 'tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 512 bytes\n2 packets captured',
        mark('pcap'), tinyPcap().toString('base64'),
        mark('summary'), `12:00:10.000001 eth0  Out IP ${CLIENT_IP}.40000 > ${ECHO_CLUSTER_IP}.8080: Flags [S], seq 1, length 0\n12:00:10.000090 eth0  In  IP ${ECHO_CLUSTER_IP}.8080 > ${CLIENT_IP}.40000: Flags [R.], seq 0, ack 2, length 0`,
        mark('end'),
      ].join('');
      return { exitCode: 0, stdout: stdout.slice(1), stderr: '' };
    }
    return { exitCode: 127, stdout: '', stderr: `${argv[0]}: command not found` };
  }

  reproduce(argv: readonly string[]): string {
    return `kubectl exec ${argv.join(' ')}`;
  }
}

/** The cluster as the runner sees it: the recorded API, and one RecordedExec per pod (kept, so a test can look at it). */
export function recordedAccess(api: MemoryKubeApi, name = 'main'): ClusterAccess & { execs: Map<string, RecordedExec> } {
  const execs = new Map<string, RecordedExec>();
  return {
    name,
    api,
    execs,
    execFor(pod: PodRef) {
      const key = `${pod.namespace}/${pod.name}/${pod.container}`;
      let e = execs.get(key);
      if (!e) execs.set(key, (e = new RecordedExec(`pod ${name}/${pod.namespace}/${pod.name}`)));
      return e;
    },
  };
}

const SOURCE_REF = { file: 'suites/basic.yaml', doc: 0, path: ['spec', 'tests', 0] };

export const TCP_TEST: SuiteTest = {
  type: 'connectivity',
  name: 'client reaches echo',
  from: { namespace: 'demo', selector: 'app=client' },
  to: { kind: 'service', namespace: 'demo', name: 'echo', port: 8080 },
  protocol: 'tcp',
  expect: { kind: 'connectivity', outcome: 'reachable' },
  timeoutMs: 2000,
  attempts: 2,
  source: SOURCE_REF,
};

export const DNS_TEST: SuiteTest = {
  type: 'dns',
  name: 'echo resolves',
  from: { namespace: 'demo', selector: 'app=client' },
  dns: { name: 'echo', recordType: 'A' },
  expect: { kind: 'dns', outcome: 'resolves' },
  timeoutMs: 2000,
  attempts: 1,
  source: SOURCE_REF,
};

export const expanded = (test: SuiteTest): ExpandedTest => ({ name: test.name, test, fromCluster: 'main', toCluster: 'main' });

export const PROBE_COMMAND = ['bash', '-c', 'exec 3<>"/dev/tcp/$0/$1"', ECHO_CLUSTER_IP, '8080', '2'];

export function tcpFailure(): TestOutcome {
  const result: ProbeResult = {
    id: '0|0|main/demo/client',
    spec: { kind: 'tcp', host: ECHO_CLUSTER_IP, port: 8080, timeoutMs: 2000 },
    source: `pod main/demo/${CLIENT_POD}`,
    outcome: 'refused',
    reason: 'connection refused',
    attempts: 1,
    command: PROBE_COMMAND,
    stdout: '',
    stderr: `${ECHO_CLUSTER_IP}: connect: Connection refused`,
    exitCode: 1,
    reproduce: `kubectl exec ${PROBE_COMMAND.join(' ')}`,
    evidence: { controls: [], alone: true },
  };
  return {
    suite: 'basic',
    name: 'client reaches echo',
    cluster: 'main',
    status: 'fail',
    expected: 'reachable',
    observed: `refused (connection refused) from pod main/demo/${CLIENT_POD}`,
    reproduce: result.reproduce,
    durationMs: 40,
    attempts: 2,
    results: [result],
  };
}

export function dnsFailure(): TestOutcome {
  const command = ['timeout', '3', 'dig', '+search', 'echo', 'A'];
  const result: ProbeResult = {
    id: '0|0|main/demo/client',
    spec: { kind: 'dns', name: 'echo', recordType: 'A', timeoutMs: 2000 },
    source: `pod main/demo/${CLIENT_POD}`,
    outcome: 'dns-error',
    dnsError: 'servfail',
    attempts: 1,
    command,
    stdout: '',
    stderr: '',
    reproduce: `kubectl exec ${command.join(' ')}`,
  };
  return {
    suite: 'dns',
    name: 'echo resolves',
    cluster: 'main',
    status: 'fail',
    expected: 'resolves',
    observed: `dns-error servfail from pod main/demo/${CLIENT_POD}`,
    reproduce: result.reproduce,
    durationMs: 40,
    attempts: 1,
    results: [result],
  };
}
