import type { KubernetesObject } from '@kubernetes/client-node';
import type { ProbeResult } from '../../model/probe.js';
import type { TestOutcome } from '../../model/runReport.js';
import type { ExpandedTest } from '../expandTests.js';
import type { ClusterAccess, PodRef } from '../runOptions.js';
import { readyPods } from '../testResolution.js';
import { CLUSTER_DNS_SERVICE, COREDNS } from './components.js';
import { failingProbe } from './failureLine.js';

export type PodObject = KubernetesObject & {
  spec?: { nodeName?: string };
  status?: { podIP?: string };
};

/** The pod the failing probe ran from, as the probes saw it (same container), with its object. */
export interface SourcePod {
  readonly cluster: ClusterAccess;
  readonly ref: PodRef;
  readonly object: PodObject;
}

/** What the failing probe went to, as far as the API knows it. */
export interface Destination {
  readonly cluster: ClusterAccess;
  /** Namespace of the Service or pods; none for a host outside the cluster. */
  readonly namespace?: string;
  /** The Service the probe went to (for a DNS test, the cluster DNS Service), by name; the object when it exists. */
  readonly serviceName?: string;
  readonly service?: KubernetesObject;
  readonly slices: readonly KubernetesObject[];
  /** The destination pods: a pod target's pods, or the pods behind the Service's endpoints. */
  readonly pods: readonly PodObject[];
}

/** A namespace a failing test involves, on its cluster. */
export interface InvolvedNamespace {
  readonly cluster: ClusterAccess;
  readonly namespace: string;
  readonly role: 'source' | 'destination' | 'source and destination';
}

/**
 * One test that did not pass, as the collectors see it: the test, its outcome, its clusters, and facts read from the
 * cluster once, on first use (a fact that cannot be read fails only the collectors that need it).
 */
export interface FailureScene {
  readonly suite: string;
  readonly test: ExpandedTest;
  readonly outcome: TestOutcome;
  readonly from: ClusterAccess;
  readonly to: ClusterAccess;
  readonly runNamespace: string;
  /** The probe the failure is about (its command repeats it); undefined when no probe ran. */
  readonly probe: ProbeResult | undefined;
  /** Time limit of one collector. */
  readonly timeoutMs: number;
  /** Lines of each log. */
  readonly logLines: number;
  readonly namespaces: readonly InvolvedNamespace[];
  sourcePod(): Promise<SourcePod>;
  destination(): Promise<Destination>;
}

/** The label every EndpointSlice of a Service carries. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      value = read();
      value.catch(() => undefined); // read again by each collector that needs it; never an unhandled rejection
    }
    return value;
  };
}

export function sourceNamespace(test: ExpandedTest, runNamespace: string): string {
  return test.test.from.namespace ?? runNamespace;
}

/** Namespace of the destination: the target's, or kube-system (CoreDNS) for DNS; none for a host outside the cluster. */
export function destinationNamespace(test: ExpandedTest, runNamespace: string): string | undefined {
  if (test.test.type === 'dns') return CLUSTER_DNS_SERVICE.namespace;
  const to = test.test.to;
  return to.kind === 'host' ? undefined : (to.namespace ?? runNamespace);
}

async function findSource(test: ExpandedTest, from: ClusterAccess, runNamespace: string, probe: ProbeResult | undefined): Promise<SourcePod> {
  if (!probe) throw new Error('no probe ran for this test, so there is no source pod to look into');
  const namespace = sourceNamespace(test, runNamespace);
  const objects = (await from.api.list('v1', 'Pod', namespace, test.test.from.selector)) as PodObject[];
  for (const ref of readyPods(objects)) {
    if (from.execFor(ref).source === probe.source) return { cluster: from, ref, object: objects.find((o) => o.metadata?.name === ref.name)! };
  }
  throw new Error(`the source ${probe.source} is no longer a ready pod matching ${test.test.from.selector} in namespace ${namespace}`);
}

async function serviceAndSlices(cluster: ClusterAccess, namespace: string, name: string): Promise<Destination> {
  const [service, slices] = await Promise.all([
    cluster.api.get('v1', 'Service', name, namespace),
    cluster.api.list('discovery.k8s.io/v1', 'EndpointSlice', namespace, `${SERVICE_NAME_LABEL}=${name}`),
  ]);
  type Slice = { endpoints?: { targetRef?: { kind?: string; name?: string } }[] };
  const names = new Set((slices as Slice[]).flatMap((s) => s.endpoints ?? []).filter((e) => e.targetRef?.kind === 'Pod' && e.targetRef.name).map((e) => e.targetRef!.name!));
  const pods = names.size ? ((await cluster.api.list('v1', 'Pod', namespace)) as PodObject[]).filter((p) => names.has(p.metadata?.name ?? '')) : [];
  return { cluster, namespace, serviceName: name, ...(service ? { service } : {}), slices, pods };
}

async function findDestination(test: ExpandedTest, from: ClusterAccess, to: ClusterAccess, runNamespace: string): Promise<Destination> {
  if (test.test.type === 'dns') {
    const dns = await serviceAndSlices(from, CLUSTER_DNS_SERVICE.namespace, CLUSTER_DNS_SERVICE.name);
    if (dns.pods.length) return dns;
    return { ...dns, pods: (await from.api.list('v1', 'Pod', CLUSTER_DNS_SERVICE.namespace, COREDNS.labelSelector)) as PodObject[] };
  }
  const target = test.test.to;
  if (target.kind === 'host') return { cluster: to, slices: [], pods: [] };
  const namespace = target.namespace ?? runNamespace;
  if (target.kind === 'service' || target.kind === 'nodePort') return serviceAndSlices(to, namespace, target.name);
  return { cluster: to, namespace, slices: [], pods: (await to.api.list('v1', 'Pod', namespace, target.selector)) as PodObject[] };
}

export interface SceneInput {
  readonly suite: string;
  readonly test: ExpandedTest;
  readonly outcome: TestOutcome;
  readonly from: ClusterAccess;
  readonly to: ClusterAccess;
  readonly runNamespace: string;
  readonly timeoutMs: number;
  readonly logLines: number;
}

/**
 * An object as the API server sent it. client-node's get and list hand back its typed models instead: a NetworkPolicy
 * rule's `from` becomes `_from` (a reserved word in its generator) and timestamps become Date objects. Diagnostics
 * show objects as YAML and read policies with the loader's parser, so they turn both back.
 */
export function wireForm<T>(value: T): T {
  if (value instanceof Date) return value.toISOString() as T;
  if (Array.isArray(value)) return value.map((v: unknown) => wireForm(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k === '_from' && !('from' in value) ? 'from' : k] = wireForm(v);
  return out as T;
}

/** The same cluster, its reads in wire form (see wireForm); exec and logs as they are. */
function wireAccess(access: ClusterAccess): ClusterAccess {
  const api = access.api;
  return {
    name: access.name,
    api: {
      apply: (o, options) => api.apply(o, options),
      get: async (apiVersion, kind, name, namespace) => wireForm(await api.get(apiVersion, kind, name, namespace)),
      list: async (apiVersion, kind, namespace, labelSelector) => wireForm(await api.list(apiVersion, kind, namespace, labelSelector)),
      delete: (o) => api.delete(o),
      logs: (namespace, pod, container, tailLines) => api.logs(namespace, pod, container, tailLines),
    },
    execFor: (pod) => access.execFor(pod),
  };
}

export function makeScene(input: SceneInput): FailureScene {
  const from = wireAccess(input.from);
  const to = input.to === input.from ? from : wireAccess(input.to);
  const { test, runNamespace } = input;
  const probe = failingProbe(input.outcome);
  const src = sourceNamespace(test, runNamespace);
  const dst = destinationNamespace(test, runNamespace);
  // For DNS, the destination namespace is on the source's cluster (its own CoreDNS answers).
  const dstCluster = test.test.type === 'dns' ? from : to;
  const namespaces: InvolvedNamespace[] =
    dst === undefined
      ? [{ cluster: from, namespace: src, role: 'source' }]
      : dst === src && dstCluster === from
        ? [{ cluster: from, namespace: src, role: 'source and destination' }]
        : [
            { cluster: from, namespace: src, role: 'source' },
            { cluster: dstCluster, namespace: dst, role: 'destination' },
          ];
  return {
    ...input,
    from,
    to,
    probe,
    namespaces,
    sourcePod: once(() => findSource(test, from, runNamespace, probe)),
    destination: once(() => findDestination(test, from, to, runNamespace)),
  };
}
