import type { Capability } from '../model/capability.js';
import type { SuitePlan } from '../model/plan.js';
import { clustersNamedBy, truthTableCells, type Suite } from '../model/suite.js';

export interface ClusterCapabilities {
  readonly name: string;
  readonly cni: string;
  readonly capabilities: readonly Capability[];
}

/** Capabilities a cluster has through its CNI; the others come from the topology (nodes, multi-cluster provider). */
const CNI_CAPABILITIES: ReadonlySet<Capability> = new Set(['networkPolicy', 'kubeProxyReplacement']);

/** What lacking a capability means, in words (after the CNI, or after the clusters). */
const LACKING: Readonly<Record<Capability, string>> = {
  networkPolicy: 'does not enforce NetworkPolicy',
  kubeProxyReplacement: 'does not replace kube-proxy',
  multiCluster: 'not joined to another cluster',
  crossClusterPodRouting: 'not joined by a provider that routes pod IPs between clusters',
  crossClusterServiceDiscovery: 'not joined by a provider that discovers the other clusters\' Services',
  multiClusterServices: 'not joined by a provider of the Multi-Cluster Services API (ServiceExport, clusterset.local)',
  mtls: 'not in a service mesh with mutual TLS',
  multiNode: 'one node that takes pods',
  gateway: 'no Gateway API and Ingress controller (the topology has no spec.gateway)',
};

/**
 * Why a suite that requires `req` cannot run on these clusters: per CNI for what a CNI provides ("flannel does not
 * enforce NetworkPolicy (cluster main)"), per clusters otherwise ("cluster main: one node that takes pods (multiNode)").
 */
function unmetReasons(req: Capability, lacking: readonly ClusterCapabilities[]): string[] {
  if (lacking.length === 0) return [];
  const list = (cs: readonly ClusterCapabilities[]): string => `cluster${cs.length > 1 ? 's' : ''} ${cs.map((c) => c.name).join(', ')}`;
  if (!CNI_CAPABILITIES.has(req)) return [`${list(lacking)}: ${LACKING[req]} (${req})`];
  const cnis = [...new Set(lacking.map((c) => c.cni))];
  return cnis.map((cni) => `${cni} ${LACKING[req]} (${list(lacking.filter((c) => c.cni === cni))})`);
}

/**
 * Decides for each suite whether it runs on this topology, and why not. Tests that name no cluster run once from
 * every cluster, so they count once per cluster; so does each cell of a truth table (every ordered pair of its pods,
 * self included, on every port), which runs in every cluster.
 */
export function selectSuites(suites: readonly Suite[], clusters: readonly ClusterCapabilities[], topology: string): SuitePlan[] {
  return suites.map((suite) => {
    const named = new Set(suite.tests.flatMap(clustersNamedBy));
    for (const m of suite.manifests) for (const c of m.clusters ?? []) named.add(c);
    for (const o of suite.objects ?? []) if (o.cluster !== undefined) named.add(o.cluster);
    const cells = suite.truthTable ? truthTableCells(suite.truthTable) * clusters.length : 0;
    const objects = (suite.objects ?? []).reduce((n, o) => n + (o.cluster !== undefined ? 1 : clusters.length), 0);
    const tests = suite.tests.reduce((n, t) => n + (t.from.cluster ? 1 : clusters.length), 0) + cells + objects;
    const base = { name: suite.name, file: suite.source.file, tests };
    const missing = [...named].filter((n) => !clusters.some((c) => c.name === n)).sort();
    if (missing.length) {
      return { ...base, status: 'skip' as const, reason: `needs cluster${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, not in topology ${topology}` };
    }
    const touched = named.size ? clusters.filter((c) => named.has(c.name)) : clusters;
    const unmet = suite.requires.flatMap((req) => unmetReasons(req, touched.filter((c) => !c.capabilities.includes(req))));
    if (unmet.length) return { ...base, status: 'skip' as const, reason: unmet.join('; '), skipKind: 'unsupported' as const };
    return { ...base, status: 'run' as const };
  });
}
