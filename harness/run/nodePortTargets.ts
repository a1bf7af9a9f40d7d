import type { KubeApi } from '../kube/kubeApi.js';
import type { NodeChoice } from '../model/suite.js';

/** Label EndpointSlices carry with the name of their Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type ServiceObject = { spec?: { type?: string; ports?: { port?: number; nodePort?: number; protocol?: string }[] } };
type NodeObject = { metadata?: { name?: string }; status?: { addresses?: { type?: string; address?: string }[] } };
type SliceObject = { endpoints?: { nodeName?: string; conditions?: { ready?: boolean } }[] };

/** The node addresses and the nodePort a NodePort test probes, or why there is nothing to probe. */
export type NodePortTargets = { readonly port: number; readonly nodes: readonly { readonly name: string; readonly address: string }[] } | { readonly problem: string };

/**
 * Resolves a nodePort target: the Service's nodePort for its `port`, and the InternalIP of each chosen node: every
 * node, or the nodes that run (or do not run) a ready endpoint of the Service, from its EndpointSlices. An empty
 * choice is a problem (the test could not measure what it states), never a pass.
 */
export async function nodePortTargets(api: KubeApi, namespace: string, name: string, port: number, choice: NodeChoice): Promise<NodePortTargets> {
  const svc = (await api.get('v1', 'Service', name, namespace)) as ServiceObject | undefined;
  if (!svc) return { problem: `service ${namespace}/${name} not found` };
  const nodePort = svc.spec?.ports?.find((p) => p.port === port)?.nodePort;
  if (!nodePort) return { problem: `service ${namespace}/${name} has no nodePort for port ${port} (type ${svc.spec?.type ?? 'ClusterIP'}; NodePort or LoadBalancer has one)` };
  const nodes = ((await api.list('v1', 'Node')) as NodeObject[]).flatMap((n) => {
    const address = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    return n.metadata?.name && address ? [{ name: n.metadata.name, address }] : [];
  });
  if (nodes.length === 0) return { problem: 'no node with an InternalIP address' };
  if (choice === 'all') return { port: nodePort, nodes };
  const slices = (await api.list('discovery.k8s.io/v1', 'EndpointSlice', namespace, `${SERVICE_NAME_LABEL}=${name}`)) as SliceObject[];
  // An endpoint is ready unless it says otherwise (EndpointConditions: "nil should be interpreted as true").
  const withEndpoint = new Set(slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false && e.nodeName).map((e) => e.nodeName!));
  const chosen = nodes.filter((n) => withEndpoint.has(n.name) === (choice === 'withEndpoints'));
  if (chosen.length === 0) {
    return { problem: choice === 'withEndpoints' ? `no node runs a ready endpoint of service ${namespace}/${name}` : `every node runs a ready endpoint of service ${namespace}/${name}: no node without one to probe` };
  }
  return { port: nodePort, nodes: chosen };
}
