import type { KubeApi } from '../kube/kubeApi.js';
import { abortableSleep } from '../kube/poll.js';
import { usesExternalName } from '../model/needsExternalEndpoint.js';
import { runBatch } from '../probe/probeEngine.js';
import type { PodExec } from '../probe/podExec.js';
import { RUN_CA_PATH } from './probeSpecs.js';
import type { ClusterAccess, RunExternalEndpoint, SuiteRunOptions } from './runOptions.js';
import type { Prepared } from './testResolution.js';

/**
 * Writes a file into a source through its exec, without stdin: a fixed script that decodes its first argument
 * (base64) into its second. Values travel as arguments, never inside the script, so nothing in them reaches a shell.
 * The file is written beside its place and renamed, so a probe never reads half of it.
 */
export const WRITE_FILE_SCRIPT = 'umask 022 && printf %s "$1" | base64 -d > "$2.tmp" && mv -f "$2.tmp" "$2"';

export function writeFileArgv(content: string, path: string): string[] {
  return ['bash', '-c', WRITE_FILE_SCRIPT, 'kconn-write', Buffer.from(content, 'utf8').toString('base64'), path];
}

const INSTALL_TIMEOUT_MS = 15_000;

/** Puts the run's CA at RUN_CA_PATH in a source; the reason when it could not (the tests of that source are errors). */
export async function installRunCa(exec: PodExec, caPem: string): Promise<string | undefined> {
  const argv = writeFileArgv(caPem, RUN_CA_PATH);
  try {
    const r = await exec.exec(argv, INSTALL_TIMEOUT_MS);
    if (r.exitCode === 0) return undefined;
    return `could not write the run CA to ${RUN_CA_PATH} in ${exec.source} (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`;
  } catch (e) {
    return `could not write the run CA to ${RUN_CA_PATH} in ${exec.source}: ${(e as Error).message}`;
  }
}

export const DEFAULT_DNS_WAIT_MS = 150_000;

interface CoreDnsDeployment {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

/** The coredns Deployment has no pod of an earlier template left, and all of its pods are of the current one. */
function rolledOut(d: CoreDnsDeployment): boolean {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s.replicas === want && s.updatedReplicas === want && s.availableReplicas === want;
}

/**
 * The IPs of the CoreDNS pods that serve the Corefile kconn wrote. kconn restarts CoreDNS to load it
 * (external/coreDnsForward.ts), so the pods are first waited for until the coredns Deployment's rollout is done
 * (at most `withinMs`; then the DNS wait says which server does not answer): pods listed before that include old
 * ones that are deleted a moment later, and a server that is gone never answers. Pods being deleted are left out. A
 * cluster without that Deployment (not kubeadm's CoreDNS) is not waited for.
 */
export async function coreDnsServers(api: KubeApi, withinMs: number, sleep: (ms: number) => Promise<void> = (ms) => abortableSleep(ms)): Promise<string[]> {
  const end = Date.now() + withinMs;
  for (;;) {
    const d = (await api.get('apps/v1', 'Deployment', 'coredns', 'kube-system').catch(() => undefined)) as CoreDnsDeployment | undefined;
    if (!d || rolledOut(d) || Date.now() >= end) break;
    await sleep(ROLLOUT_POLL_MS);
  }
  type Pod = { metadata?: { deletionTimestamp?: string }; status?: { podIP?: string; phase?: string } };
  return ((await api.list('v1', 'Pod', 'kube-system', 'k8s-app=kube-dns').catch(() => [])) as Pod[])
    .filter((p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata?.deletionTimestamp)
    .map((p) => p.status!.podIP!);
}

const ROLLOUT_POLL_MS = 500;

/**
 * Waits until the cluster's DNS answers the endpoint's name from a source: every CoreDNS pod asked directly (each
 * reloads its Corefile on its own schedule, so one answer through the Service proves nothing about the others), or,
 * where no CoreDNS pod is listed, the source's own resolver. Polls inside the source (the probe engine's until mode);
 * returns the reason when a server still does not answer with the endpoint's address at the deadline.
 */
export async function waitForExternalDns(access: ClusterAccess, exec: PodExec, endpoint: RunExternalEndpoint): Promise<string | undefined> {
  const withinMs = endpoint.dnsWaitMs ?? DEFAULT_DNS_WAIT_MS;
  const pods = await coreDnsServers(access.api, withinMs);
  const servers: (string | undefined)[] = pods.length ? pods : [undefined];
  const results = await runBatch(
    exec,
    servers.map((server, i) => ({
      id: `dns-${i}`,
      spec: { kind: 'dns', name: `${endpoint.name}.`, recordType: 'A', timeoutMs: 2000, ...(server ? { server } : {}) },
      until: { outcome: 'resolved', withinMs },
    })),
  );
  const bad = results
    .map((r, i) => ({ r, server: servers[i] }))
    .filter(({ r }) => r.outcome !== 'resolved' || !(r.addresses ?? []).includes(endpoint.ip));
  if (bad.length === 0) return undefined;
  return (
    `the cluster DNS of ${access.name} does not answer ${endpoint.name} with ${endpoint.ip} after ${Math.round(withinMs / 1000)} s ` +
    `(CoreDNS forwards kconn.test to the endpoint): ` +
    bad.map(({ r, server }) => `${server ? `CoreDNS pod ${server}` : 'the source resolver'}: ${r.outcome}${r.addresses?.length ? ` ${r.addresses.join(',')}` : ''}${r.reason ? ` (${r.reason})` : ''}`).join('; ')
  );
}

/** Per run (its endpoint) and cluster: the DNS wait, done once; later suites reuse its answer. */
const dnsWaits = new WeakMap<RunExternalEndpoint, Map<string, Promise<string | undefined>>>();

/**
 * Readies the sources of tests that need the run's external endpoint, before their first batch: the run CA goes into
 * every source pod of a test with `tls: {ca: run}` (once per pod), and a cluster whose tests look up the endpoint's
 * name is waited for until its DNS answers it (once per cluster and run). A test whose preparation failed gets it
 * as its problem (an error, never a verdict).
 */
export async function prepareExternal(prepared: readonly Prepared[], opts: SuiteRunOptions): Promise<Prepared[]> {
  const endpoint = opts.external;
  if (!endpoint) return [...prepared];
  const installs = new Map<string, Promise<string | undefined>>();
  const waits = dnsWaits.get(endpoint) ?? new Map<string, Promise<string | undefined>>();
  dnsWaits.set(endpoint, waits);
  return Promise.all(
    prepared.map(async (p): Promise<Prepared> => {
      const test = p.expanded.test;
      if (p.problem) return p;
      const access = opts.clusters.get(p.expanded.fromCluster)!;
      const problems: (string | undefined)[] = [];
      if (test.type === 'connectivity' && test.tls?.ca === 'run') {
        problems.push(
          ...(await Promise.all(
            p.sources.map((pod) => {
              const key = `${p.expanded.fromCluster}/${pod.namespace}/${pod.name}`;
              let install = installs.get(key);
              if (!install) installs.set(key, (install = installRunCa(access.execFor(pod), endpoint.caPem)));
              return install;
            }),
          )),
        );
      }
      if (usesExternalName(test)) {
        let wait = waits.get(p.expanded.fromCluster);
        if (!wait) {
          opts.progress(`waiting until the DNS of cluster ${p.expanded.fromCluster} answers ${endpoint.name}`);
          wait = waitForExternalDns(access, access.execFor(p.sources[0]!), endpoint).catch((e: Error) => `waiting for the DNS of ${endpoint.name} failed: ${e.message}`);
          waits.set(p.expanded.fromCluster, wait);
        }
        problems.push(await wait);
      }
      const problem = problems.find((x) => x !== undefined);
      return problem ? { ...p, problem } : p;
    }),
  );
}
