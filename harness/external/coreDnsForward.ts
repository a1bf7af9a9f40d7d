import type { KubeApi } from '../kube/kubeApi.js';
import { corefileStanza, withStanza, withoutStanza } from './endpointConfig.js';

const COREDNS = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' } } as const;

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
 * block is replaced). CoreDNS's `reload` plugin picks it up once the kubelet has synced the ConfigMap volume (up to
 * about a minute and a half on kind's defaults): the caller waits until a probe resolves the name.
 * `restore()` removes exactly kconn's block from the Corefile as it is then (changes made by others meanwhile stay).
 */
export async function forwardZoneToEndpoint(kube: KubeApi, dnsIp: string): Promise<{ restore(): Promise<void> }> {
  const stanza = corefileStanza(dnsIp);
  const write = (Corefile: string) => kube.apply({ ...COREDNS, metadata: { ...COREDNS.metadata }, data: { Corefile } } as Parameters<KubeApi['apply']>[0]);
  await write(withStanza(await readCorefile(kube), stanza));
  let restored: Promise<void> | undefined;
  return {
    restore: () => (restored ??= readCorefile(kube).then((now) => (now.includes(stanza) ? write(withoutStanza(now)).then(() => undefined) : undefined))),
  };
}
