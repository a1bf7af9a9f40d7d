import type { KubernetesObject } from '@kubernetes/client-node';
import { needsExternalEndpoint } from '../model/needsExternalEndpoint.js';
import type { AnswerSpread } from '../model/answerSpread.js';
import { podRecordName, type Expectation, type Target } from '../model/suite.js';
import type { Backend } from './answerSpread.js';
import { nodePortTargets } from './nodePortTargets.js';
import type { ExpandedTest } from './expandTests.js';
import type { ClusterAccess, PodRef, SuiteRunOptions } from './runOptions.js';

/** Annotation naming the container to probe from, when a pod has several. */
export const PROBE_CONTAINER_ANNOTATION = 'kconn.dev/probe-container';

type PodObject = KubernetesObject & {
  spec?: { containers?: { name: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
};

const isReady = (p: PodObject): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function readyPods(pods: readonly KubernetesObject[]): PodRef[] {
  return runningPods(pods, true);
}

/** Running pods not being deleted, either the ready ones or (ready false) those whose readiness probe has not passed. */
export function runningPods(pods: readonly KubernetesObject[], ready: boolean): PodRef[] {
  return (pods as PodObject[])
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && isReady(p) === ready)
    .map((p) => ({
      namespace: p.metadata!.namespace!,
      name: p.metadata!.name!,
      container: p.metadata?.annotations?.[PROBE_CONTAINER_ANNOTATION] ?? p.spec?.containers?.[0]?.name ?? '',
      ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A test with its sources and targets found, or the reason it cannot run. */
export interface Prepared {
  readonly expanded: ExpandedTest;
  readonly sources: PodRef[];
  readonly targets: string[];
  /** Per target (same order), the expectation when it is the target's own: a pod record resolves to that pod's IP. */
  readonly expectations?: Expectation[];
  /** The port to probe on every target when it is not the test's own (a nodePort target's nodePort). */
  readonly port?: number;
  /** For a test with `expect.answeredBy`: the ready pods behind its target, in every cluster it counts. */
  readonly backends?: Backend[];
  readonly problem?: string;
}

type LabelledPod = KubernetesObject & { metadata?: { labels?: Record<string, string> } };

/**
 * The ready pods behind a service or pod target in each cluster of the spread (the same Service, or selector, in
 * each; default the target's cluster), or why they cannot be counted. A Service's pods are the ones its selector
 * matches.
 */
async function backendsOf(target: Target, toNs: string, spread: AnswerSpread, toCluster: string, opts: SuiteRunOptions): Promise<Backend[] | string> {
  if (target.kind === 'host' && !spread.backends) return `a host target has no pods behind it to count: name them with expect.answeredBy.backends`;
  const backends: Backend[] = [];
  for (const cluster of spread.clusters ?? [toCluster]) {
    const access = opts.clusters.get(cluster);
    if (!access) return `cluster ${cluster} (expect.answeredBy.clusters) is not part of this run`;
    // Behind a proxy (a gateway): the pods the suite names, not the proxy's own.
    const podNs = spread.backends ? (spread.backends.namespace ?? opts.runNamespace) : toNs;
    let selector = spread.backends ? spread.backends.selector : target.kind === 'pod' ? target.selector : undefined;
    let only: Set<string> | undefined;
    if (target.kind !== 'pod' && target.kind !== 'host' && !spread.backends) {
      const svc = (await access.api.get('v1', 'Service', target.name, toNs)) as { spec?: { selector?: Record<string, string> } } | undefined;
      if (!svc) continue; // the Service lives in some of the clusters only: the others add no backend
      const labels = Object.entries(svc.spec?.selector ?? {});
      selector = labels.map(([k, v]) => `${k}=${v}`).join(',') || undefined;
      if (!selector) {
        // No selector: its backends are the pods its EndpointSlices name (written by hand or by the suite).
        const named = await slicePods(access.api, toNs, target.name);
        if (typeof named === 'string') return `${named} on cluster ${cluster}: its answers cannot be counted`;
        only = named;
      }
    }
    const pods = only?.size === 0 ? [] : await access.api.list('v1', 'Pod', podNs, selector);
    const ready = new Set(readyPods(pods).map((p) => p.name));
    for (const pod of pods as LabelledPod[]) {
      const name = pod.metadata?.name;
      if (name && ready.has(name) && (!only || only.has(name))) backends.push({ pod: name, cluster, labels: { ...(pod.metadata?.labels ?? {}) } });
    }
  }
  return backends;
}

type SliceObject = KubernetesObject & {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
};

/** The pods the ready endpoints of a Service's EndpointSlices name, or why one names none. */
async function slicePods(api: ClusterAccess['api'], ns: string, service: string): Promise<Set<string> | string> {
  const slices = (await api.list('discovery.k8s.io/v1', 'EndpointSlice', ns, `kubernetes.io/service-name=${service}`)) as SliceObject[];
  const names = new Set<string>();
  for (const e of slices.flatMap((s) => s.endpoints ?? [])) {
    if (e.conditions?.ready === false) continue;
    const ref = e.targetRef;
    if (ref?.kind !== 'Pod' || !ref.name || (ref.namespace ?? ns) !== ns) return `service ${ns}/${service} has no selector and its endpoint ${(e.addresses ?? []).join(',')} names no pod of ${ns} (targetRef)`;
    names.add(ref.name);
  }
  return names;
}

/** Finds a test's source pods (ready ones) and target addresses (a ClusterIP, pod IPs, or the host). */
export async function resolveTest(t: ExpandedTest, opts: SuiteRunOptions): Promise<Prepared> {
  const from = opts.clusters.get(t.fromCluster);
  const to = opts.clusters.get(t.toCluster);
  if (!from || !to) return { expanded: t, sources: [], targets: [], problem: `cluster ${!from ? t.fromCluster : t.toCluster} is not part of this run` };
  const fromNs = t.test.from.namespace ?? opts.runNamespace;
  const sources = readyPods(await from.api.list('v1', 'Pod', fromNs, t.test.from.selector));
  if (sources.length === 0) {
    return { expanded: t, sources, targets: [], problem: `no running, ready pod matches ${t.test.from.selector} in namespace ${fromNs} on cluster ${t.fromCluster}` };
  }
  if (needsExternalEndpoint(t.test) && !opts.external) {
    return { expanded: t, sources, targets: [], problem: "this test needs the run's external endpoint, and this run has none" };
  }
  if (t.test.type === 'dns') {
    const podOf = t.test.dns.podOf;
    if (!podOf) return { expanded: t, sources, targets: [''] };
    // A pod's own record, looked up from the source's cluster: the pods are that cluster's.
    const ns = podOf.namespace ?? opts.runNamespace;
    const pods = readyPods(await from.api.list('v1', 'Pod', ns, podOf.selector)).filter((p) => p.ip && !p.ip.includes(':'));
    if (pods.length === 0) return { expanded: t, sources, targets: [], problem: `no ready pod with an IPv4 address matches ${podOf.selector} in ${ns} on cluster ${t.fromCluster}` };
    return {
      expanded: t,
      sources,
      targets: pods.map((p) => podRecordName(p.ip!, ns)),
      expectations: pods.map((p) => ({ ...t.test.expect, addresses: [p.ip!] }) as Expectation),
    };
  }
  const target = t.test.to;
  if (target.kind === 'host') {
    const prepared = { expanded: t, sources, targets: [target.external ? opts.external!.ip : target.host] };
    return withBackends(prepared, target, opts.runNamespace, opts);
  }
  const toNs = target.namespace ?? opts.runNamespace;
  if (target.kind === 'nodePort') {
    const found = await nodePortTargets(to.api, toNs, target.name, target.port ?? 0, target.nodes);
    if ('problem' in found) return { expanded: t, sources, targets: [], problem: `${found.problem} on cluster ${t.toCluster}` };
    return withBackends({ expanded: t, sources, targets: found.nodes.map((n) => n.address), port: found.port }, target, toNs, opts);
  }
  if (target.kind === 'service') {
    const svc = (await to.api.get('v1', 'Service', target.name, toNs)) as { spec?: { clusterIP?: string } } | undefined;
    const ip = svc?.spec?.clusterIP;
    if (!svc) return { expanded: t, sources, targets: [], problem: `service ${toNs}/${target.name} not found on cluster ${t.toCluster}` };
    if (!ip || ip === 'None') return { expanded: t, sources, targets: [], problem: `service ${toNs}/${target.name} is headless: target its pods instead` };
    return withBackends({ expanded: t, sources, targets: [ip] }, target, toNs, opts);
  }
  const pods = runningPods(await to.api.list('v1', 'Pod', toNs, target.selector), !target.notReady).filter((p) => p.ip);
  const which = target.notReady ? 'running target pod that is not ready' : 'ready target pod';
  if (pods.length === 0) return { expanded: t, sources, targets: [], problem: `no ${which} matches ${target.selector} in ${toNs} on cluster ${t.toCluster}` };
  return withBackends({ expanded: t, sources, targets: pods.map((p) => p.ip!) }, target, toNs, opts);
}

/** Adds the backends a test with `expect.answeredBy` counts answers against. */
async function withBackends(p: Prepared, target: Target, toNs: string, opts: SuiteRunOptions): Promise<Prepared> {
  const test = p.expanded.test;
  const spread = test.type === 'connectivity' ? test.expect.answeredBy : undefined;
  if (!spread) return p;
  const backends = await backendsOf(target, toNs, spread, p.expanded.toCluster, opts);
  return typeof backends === 'string' ? { ...p, targets: [], problem: backends } : { ...p, backends };
}
