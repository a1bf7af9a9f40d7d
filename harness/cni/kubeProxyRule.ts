import type { KubeProxyMode } from '../model/topology.js';
import type { CniPlugin } from './cniPlugin.js';

export type KubeProxyDecision = { ok: true; mode: KubeProxyMode } | { ok: false; reason: string };

/**
 * The kube-proxy mode a cluster gets, given its CNI and what the topology declared.
 * `none` skips kube-proxy entirely (kind: kubeadm --skip-phases=addon/kube-proxy), so only a CNI that replaces
 * kube-proxy can run with it; such a CNI in turn needs `none`.
 */
export function decideKubeProxyMode(
  plugin: CniPlugin,
  options: Readonly<Record<string, unknown>>,
  declared: KubeProxyMode | undefined,
): KubeProxyDecision {
  const required = plugin.kindConfig({
    cluster: '',
    kindName: '',
    podSubnet: '',
    serviceSubnet: '',
    nodeCount: 1,
    version: plugin.defaultVersion,
    options,
    cacheDir: '',
    clusterDir: '',
    arch: 'amd64',
  }).kubeProxyMode;
  if (required && declared && declared !== required) {
    return { ok: false, reason: `${plugin.name} with these options needs kubeProxyMode ${required}, but ${declared} is set` };
  }
  if (!required && declared === 'none') {
    return {
      ok: false,
      reason: `kubeProxyMode none removes kube-proxy, and ${plugin.name} does not replace it; use cilium with kubeProxyReplacement: true`,
    };
  }
  return { ok: true, mode: required ?? declared ?? 'iptables' };
}
