import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../kube/kubeApi.js';
import { explainWaiting } from '../kube/explainWaiting.js';
import { gatewayProgrammed, routeAccepted } from '../kube/gatewayReadiness.js';
import { endpointsReady, podRunning, podsReady, rolloutComplete, type Readiness } from '../kube/readiness.js';
import { EXPECT_READY_ANNOTATION } from '../model/labels.js';

type Labels = Readonly<Record<string, string>>;

/** Labels of the pods `o` makes: a workload's pod template, or a Pod's own. */
function podLabels(o: KubernetesObject): Labels | undefined {
  if (o.kind === 'Pod') return o.metadata?.labels ?? {};
  if (o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'StatefulSet') {
    return (o as { spec?: { template?: { metadata?: { labels?: Labels } } } }).spec?.template?.metadata?.labels ?? {};
  }
  return undefined;
}

/**
 * Whether a Service's selector matches pods the same manifests make in this cluster. One that matches none selects
 * nothing here on purpose (a Service with no endpoints, or one whose pods run in another cluster of a mesh, where
 * clients still need it to resolve the name): it gets no endpoints, so it is not waited for.
 */
function selectsApplied(selector: Labels, applied: readonly KubernetesObject[]): boolean {
  return applied.some((o) => {
    const labels = podLabels(o);
    return labels !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
}

/**
 * What must be ready before a suite's probes can mean anything: workloads rolled out, Services with endpoints when
 * they select pods the same manifests make, Gateways programmed and HTTPRoutes accepted by their Gateways (their
 * controller has taken them in: without it the first requests meet a 404 of a route not set up yet).
 */
export async function workloadsReady(api: KubeApi, applied: readonly KubernetesObject[]): Promise<Readiness> {
  const waiting: string[] = [];
  for (const o of applied) {
    const ns = o.metadata?.namespace;
    const name = o.metadata?.name ?? '';
    let r: Readiness | undefined;
    if (o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'StatefulSet') {
      const live = await api.get('apps/v1', o.kind, name, ns);
      r = live ? await explainWaiting(api, live, rolloutComplete(live)) : { ready: false, detail: `${o.kind} ${ns}/${name} not found` };
      if (r.failed) return r;
    } else if (o.kind === 'Pod') {
      const live = await api.get('v1', 'Pod', name, ns);
      r = o.metadata?.annotations?.[EXPECT_READY_ANNOTATION] === 'false' ? podRunning(live, `${ns}/${name}`) : podsReady(live ? [live] : []);
    } else if (o.kind === 'Service') {
      const selector = (o as { spec?: { selector?: Labels } }).spec?.selector;
      if (selector && selectsApplied(selector, applied)) {
        r = endpointsReady(await api.list('discovery.k8s.io/v1', 'EndpointSlice', ns, `kubernetes.io/service-name=${name}`), `${ns}/${name}`);
      }
    } else if (o.apiVersion?.startsWith('gateway.networking.k8s.io/') && o.kind === 'Gateway') {
      r = gatewayProgrammed(await api.get(o.apiVersion, 'Gateway', name, ns), `${ns}/${name}`);
    } else if (o.apiVersion?.startsWith('gateway.networking.k8s.io/') && o.kind === 'HTTPRoute') {
      r = routeAccepted(await api.get(o.apiVersion, 'HTTPRoute', name, ns), `HTTPRoute ${ns}/${name}`);
    }
    if (r && !r.ready) waiting.push(r.detail);
  }
  return { ready: waiting.length === 0, detail: waiting.length ? waiting.join('; ') : 'all workloads ready' };
}
