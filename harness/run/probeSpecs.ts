import type { KubeApi } from '../kube/kubeApi.js';
import type { ControlTarget, ProbeSpec } from '../model/probe.js';
import type { SuiteTest } from '../model/suite.js';

/**
 * Where a test with `tls: {ca: run}` finds the run's CA inside its source pod (written there before its batch,
 * see externalPrep.ts); the http probe's caFile.
 */
export const RUN_CA_PATH = '/tmp/kconn-run-ca.pem';

/**
 * The probe a test sends to one resolved target address (a ClusterIP, a pod IP, a node address or the host as
 * written), on the test's port unless resolution found another (a nodePort).
 */
export function probeSpecFor(test: SuiteTest, address?: string, resolvedPort?: number): ProbeSpec {
  // A resolved name (a pod's own record) replaces the one written.
  if (test.type === 'dns') return { kind: 'dns', name: address || test.dns.name, recordType: test.dns.recordType, timeoutMs: test.timeoutMs };
  const host = address!;
  const port = resolvedPort ?? test.to.port ?? 0;
  switch (test.protocol) {
    case 'tcp':
      return { kind: 'tcp', host, port, timeoutMs: test.timeoutMs };
    case 'udp':
      return { kind: 'udp', host, port, timeoutMs: test.timeoutMs };
    case 'http':
    case 'https':
      return {
        kind: 'http', scheme: test.protocol, host, port, ...(test.to.path ? { path: test.to.path } : {}), timeoutMs: test.timeoutMs,
        ...(test.to.hostname ? { hostname: test.to.hostname } : {}),
        ...(test.protocol === 'https' && test.tls?.ca === 'run' ? { caFile: RUN_CA_PATH } : {}),
      };
    case 'icmp':
      return { kind: 'icmp', host, timeoutMs: test.timeoutMs };
  }
}

/**
 * The positive control of every batch from a cluster's pods: a TCP connect to the cluster DNS service (kube-dns in
 * kube-system, its TCP port), which every pod must reach for names to resolve at all. Undefined when the cluster has
 * none; the engine then confirms each negative by re-running it alone.
 */
export async function clusterControlTarget(api: KubeApi): Promise<ControlTarget | undefined> {
  type Svc = { spec?: { clusterIP?: string; ports?: { port?: number; protocol?: string }[] } };
  const svc = (await api.get('v1', 'Service', 'kube-dns', 'kube-system').catch(() => undefined)) as Svc | undefined;
  const ip = svc?.spec?.clusterIP;
  const port = svc?.spec?.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP')?.port;
  return ip && ip !== 'None' && port ? { host: ip, port } : undefined;
}
