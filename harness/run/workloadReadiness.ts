import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../kube/kubeApi.js';
import { explainWaiting } from '../kube/explainWaiting.js';
import { endpointsReady, podsReady, rolloutComplete, type Readiness } from '../kube/readiness.js';

/** What must be ready before a suite's probes can mean anything: workloads rolled out, Services with endpoints. */
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
      r = podsReady(live ? [live] : []);
    } else if (o.kind === 'Service' && (o as { spec?: { selector?: object } }).spec?.selector) {
      r = endpointsReady(await api.list('discovery.k8s.io/v1', 'EndpointSlice', ns, `kubernetes.io/service-name=${name}`), `${ns}/${name}`);
    }
    if (r && !r.ready) waiting.push(r.detail);
  }
  return { ready: waiting.length === 0, detail: waiting.length ? waiting.join('; ') : 'all workloads ready' };
}
