import { createHash } from 'node:crypto';
import type { KubeApi } from '../kube/kubeApi.js';
import { corefileStanza, withStanza, withoutStanza } from './endpointConfig.js';

const COREDNS = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' } } as const;

/** The pod-template annotation that restarts CoreDNS when kconn changes its Corefile. */
export const COREFILE_ANNOTATION = 'kconn.dev/corefile';

async function readCorefile(kube: KubeApi): Promise<string> {
  const cm = (await kube.get(COREDNS.apiVersion, COREDNS.kind, COREDNS.metadata.name, COREDNS.metadata.namespace)) as
    | { data?: Record<string, string> }
    | undefined;
  const corefile = cm?.data?.['Corefile'];
  if (corefile === undefined) throw new Error('kube-system/coredns has no Corefile: this cluster does not run CoreDNS as kubeadm sets it up');
  return corefile;
}

/**
 * Makes a cluster's CoreDNS forward the zone kconn.test to the external endpoint's DNS: the ConfigMap
 * kube-system/coredns gets kconn's server block appended (server-side apply of `data.Corefile` only; an earlier run's
 * block is replaced). Left to itself, CoreDNS's `reload` plugin sees it only once the kubelet has resynced the
 * ConfigMap volume and the reload interval has passed: 99 s on a real kind cluster on the build machines. So the
 * Deployment's pod template gets the Corefile's hash as an annotation (`kconn.dev/corefile`, like `kubectl rollout
 * restart`): a rolling restart (kubeadm's CoreDNS keeps one of its two pods up) whose new pods read the new Corefile
 * at start. Only kind clusters kconn made get here (the endpoint is not offered to --kubeconfig clusters). The caller
 * still waits until a probe resolves the name.
 * `restore()` removes exactly kconn's block from the Corefile as it is then (changes made by others meanwhile stay).
 */
export async function forwardZoneToEndpoint(kube: KubeApi, dnsIp: string): Promise<{ restore(): Promise<void> }> {
  const stanza = corefileStanza(dnsIp);
  const write = (Corefile: string) => kube.apply({ ...COREDNS, metadata: { ...COREDNS.metadata }, data: { Corefile } } as Parameters<KubeApi['apply']>[0]);
  const corefile = withStanza(await readCorefile(kube), stanza);
  await write(corefile);
  await kube.apply({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system' },
    spec: { template: { metadata: { annotations: { [COREFILE_ANNOTATION]: createHash('sha256').update(corefile).digest('hex').slice(0, 16) } } } },
  } as Parameters<KubeApi['apply']>[0]);
  let restored: Promise<void> | undefined;
  return {
    restore: () => (restored ??= readCorefile(kube).then((now) => (now.includes(stanza) ? write(withoutStanza(now)).then(() => undefined) : undefined))),
  };
}
