import type { KubernetesObject } from '@kubernetes/client-node';
import { RUN_LABEL, SUITE_LABEL } from '../model/labels.js';
import type { EndpointSliceAction } from '../model/testAction.js';
import type { SuiteRunOptions } from './runOptions.js';
import { readyPods } from './testResolution.js';

type ServiceObject = KubernetesObject & {
  spec?: { selector?: Record<string, string>; ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[] };
};
type PodObject = KubernetesObject & { spec?: { nodeName?: string } };

/** Who manages the slices kconn writes (the control plane's own slices say endpointslice-controller.k8s.io). */
export const SLICE_MANAGER = 'kconn.dev';

/**
 * The EndpointSlice kconn writes for a Service without a selector: named `<service>-kconn`, labelled with the Service
 * it belongs to (`kubernetes.io/service-name`, which kube-proxy and CNIs read) and with kconn's run and suite labels,
 * one ready endpoint per pod, on the Service's ports by name, with their numeric targetPorts.
 * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#ownership
 */
export function endpointSliceFor(service: ServiceObject, pods: readonly { name: string; ip: string; node?: string }[]): KubernetesObject | string {
  const name = service.metadata?.name ?? '';
  const ns = service.metadata?.namespace ?? '';
  if (Object.keys(service.spec?.selector ?? {}).length > 0) return `Service ${ns}/${name} has a selector: the control plane writes its EndpointSlices; remove the selector to write your own`;
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return `Service ${ns}/${name} has no ports`;
  const named = ports.find((p) => typeof p.targetPort === 'string');
  if (named) return `Service ${ns}/${name} port ${named.port} has targetPort "${String(named.targetPort)}", a name: an EndpointSlice of a Service without a selector needs a number`;
  const families = new Set(pods.map((p) => (p.ip.includes(':') ? 'IPv6' : 'IPv4')));
  if (families.size > 1) return `the pods for Service ${ns}/${name} have IPv4 and IPv6 addresses: one slice holds one family`;
  const labels = service.metadata?.labels ?? {};
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-kconn`,
      namespace: ns,
      labels: {
        'kubernetes.io/service-name': name,
        'endpointslice.kubernetes.io/managed-by': SLICE_MANAGER,
        ...(labels[RUN_LABEL] ? { [RUN_LABEL]: labels[RUN_LABEL] } : {}),
        ...(labels[SUITE_LABEL] ? { [SUITE_LABEL]: labels[SUITE_LABEL] } : {}),
      },
    },
    addressType: [...families][0] ?? 'IPv4',
    endpoints: pods.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: ns, name: p.name },
      ...(p.node ? { nodeName: p.node } : {}),
    })),
    ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' })),
  } as KubernetesObject;
}

/**
 * Writes the EndpointSlice of a selectorless Service of the suite's manifests on each cluster the action names (or
 * every cluster the suite applied the Service to), from the ready pods its selector matches there. The slice is
 * removed with the run (and with the namespace, when the suite's cleanup deletes that).
 */
export async function writeEndpointSlice(a: EndpointSliceAction, applied: ReadonlyMap<string, readonly KubernetesObject[]>, opts: SuiteRunOptions): Promise<void> {
  const ns = a.namespace ?? opts.runNamespace;
  const isTarget = (o: KubernetesObject): boolean => o.kind === 'Service' && o.metadata?.name === a.name && o.metadata?.namespace === ns;
  const clusters = a.cluster ? [a.cluster] : [...applied].filter(([, objects]) => objects.some(isTarget)).map(([c]) => c);
  if (clusters.length === 0) throw new Error(`no Service ${ns}/${a.name} among the suite's manifests`);
  await Promise.all(
    clusters.map(async (cluster) => {
      const access = opts.clusters.get(cluster);
      const own = applied.get(cluster)?.find(isTarget) as ServiceObject | undefined;
      if (!access || !own) throw new Error(`the suite applied no Service ${ns}/${a.name} to cluster ${cluster}`);
      const listed = (await access.api.list('v1', 'Pod', ns, a.selector)) as PodObject[];
      const nodes = new Map(listed.map((p) => [p.metadata?.name, p.spec?.nodeName]));
      const pods = readyPods(listed).flatMap((p) => (p.ip ? [{ name: p.name, ip: p.ip, ...(nodes.get(p.name) ? { node: nodes.get(p.name)! } : {}) }] : []));
      if (pods.length === 0) throw new Error(`no ready pod matches ${a.selector} in ${ns} on cluster ${cluster}: the EndpointSlice would be empty`);
      const slice = endpointSliceFor(own, pods);
      if (typeof slice === 'string') throw new Error(slice);
      if (!opts.keep) opts.cleanup.add(`EndpointSlice ${ns}/${slice.metadata!.name} on ${cluster}`, () => access.api.delete(slice));
      await access.api.apply(slice, { strict: true });
      opts.progress(`${cluster}: wrote EndpointSlice ${ns}/${slice.metadata!.name} (${pods.map((p) => p.ip).join(', ')})`);
    }),
  );
}
