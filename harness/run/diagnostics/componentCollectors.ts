import { describeObject } from '../../kube/diagnose.js';
import type { ClusterAccess } from '../runOptions.js';
import { firstLine, type Collector } from './collector.js';
import { CNI_AGENTS, COREDNS, KUBE_PROXY, type Component } from './components.js';
import type { FailureScene, PodObject } from './scene.js';

/** Nodes of the source pod and of the destination pods on its cluster: where kube-proxy and the CNI agent matter. */
async function relevantNodes(scene: FailureScene): Promise<Set<string>> {
  const nodes = new Set<string>();
  const src = await scene.sourcePod().catch(() => undefined);
  if (src?.object.spec?.nodeName) nodes.add(src.object.spec.nodeName);
  const dst = await scene.destination().catch(() => undefined);
  if (dst && dst.cluster === scene.from) for (const p of dst.pods) if (p.spec?.nodeName) nodes.add(p.spec.nodeName);
  return nodes;
}

/** Pods of a component, from the first of its namespaces that has any. */
async function componentPods(cluster: ClusterAccess, c: Component): Promise<{ namespace: string; pods: PodObject[] } | undefined> {
  for (const namespace of c.namespaces) {
    const pods = (await cluster.api.list('v1', 'Pod', namespace, c.labelSelector)) as PodObject[];
    if (pods.length) return { namespace, pods };
  }
  return undefined;
}

/** Logs read per component at most (those on the relevant nodes first). */
export const MAX_LOGGED_PODS = 3;

/** A component's pods in words (phase, container states) and the recent logs of those on the relevant nodes. */
async function componentReport(scene: FailureScene, title: string, c: Component, found: { namespace: string; pods: PodObject[] }, nodes?: Set<string>): Promise<string[]> {
  const { namespace, pods } = found;
  const lines = [`${title}: ${pods.length} pod(s) labelled ${c.labelSelector} in namespace ${namespace}`];
  for (const p of pods) lines.push(`  ${describeObject({ apiVersion: 'v1', kind: 'Pod', ...p })}${p.spec?.nodeName ? ` [node ${p.spec.nodeName}]` : ''}`);
  const onNodes = nodes?.size ? pods.filter((p) => nodes.has(p.spec?.nodeName ?? '')) : [];
  const logged = (onNodes.length ? onNodes : pods).slice(0, MAX_LOGGED_PODS);
  const logs = await Promise.all(
    logged.map(async (p) => {
      const name = p.metadata?.name ?? '';
      const head = `--- logs of ${namespace}/${name} (container ${c.container}${p.spec?.nodeName ? `, node ${p.spec.nodeName}` : ''}), last ${scene.logLines} lines ---`;
      try {
        const text = await scene.from.api.logs(namespace, name, c.container, scene.logLines);
        return [head, text.trimEnd() || '(empty)'];
      } catch (e) {
        return [head, `could not read the log: ${firstLine(e)}`];
      }
    }),
  );
  return [...lines, '', ...logs.flatMap((l) => [...l, ''])];
}

/** Whether the failure has to do with name resolution. */
export function isDnsFailure(scene: FailureScene): boolean {
  return scene.test.test.type === 'dns' || scene.outcome.results.some((r) => r.outcome === 'dns-error');
}

/** CoreDNS pods and their recent logs, for DNS failures. */
export const corednsCollector: Collector = {
  name: 'coredns',
  skip: (scene) => (isDnsFailure(scene) ? undefined : 'not a DNS failure'),
  async collect(scene) {
    const found = await componentPods(scene.from, COREDNS);
    const text = found ? await componentReport(scene, 'CoreDNS', COREDNS, found) : [`no CoreDNS pod (${COREDNS.labelSelector} in ${COREDNS.namespaces.join(', ')})`];
    return [{ name: 'coredns.txt', content: text.join('\n') + '\n' }];
  },
};

/** kube-proxy pods and the recent logs of those on the source's and destinations' nodes. */
export const kubeProxyCollector: Collector = {
  name: 'kube-proxy',
  async collect(scene) {
    const found = await componentPods(scene.from, KUBE_PROXY);
    const text = found
      ? await componentReport(scene, 'kube-proxy', KUBE_PROXY, found, await relevantNodes(scene))
      : [`no kube-proxy pod (${KUBE_PROXY.labelSelector} in ${KUBE_PROXY.namespaces.join(', ')}): Services are handled by something else (Cilium's kube-proxy replacement?)`];
    return [{ name: 'kube-proxy.txt', content: text.join('\n') + '\n' }];
  },
};

/** The CNI's agent pods (whichever CNI of CNI_AGENTS runs) and the recent logs of those on the relevant nodes. */
export const cniCollector: Collector = {
  name: 'cni',
  async collect(scene) {
    const nodes = await relevantNodes(scene);
    const text: string[] = [];
    for (const [cni, agent] of Object.entries(CNI_AGENTS)) {
      const found = await componentPods(scene.from, agent);
      if (found) text.push(...(await componentReport(scene, `CNI ${cni}: agent ${agent.container}`, agent, found, nodes)));
    }
    if (text.length === 0) {
      const looked = Object.entries(CNI_AGENTS).map(([cni, a]) => `${cni}: ${a.labelSelector} in ${a.namespaces.join(' or ')}`);
      text.push(`no agent pod of a CNI kconn knows (${looked.join('; ')})`);
    }
    return [{ name: 'cni.txt', content: text.join('\n') + '\n' }];
  },
};
