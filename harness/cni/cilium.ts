import { CNI_WAIT_TIMEOUT, podsOf, type CniContext, type CniPlugin } from './cniPlugin.js';

/**
 * Chart version from https://helm.cilium.io. 1.19.7 is not in every copy of the index seen; Wolfi packages
 * cilium-1.19-* at 1.19.7 (osv.dev CGA-3999-9vwx-34hf, 2026-09). Provisioning reads the repository index before helm
 * runs and stops with the versions it lists when the pin is missing.
 */
const CILIUM_VERSION = '1.19.7';

function replacesKubeProxy(options: Readonly<Record<string, unknown>>): boolean {
  return options['kubeProxyReplacement'] === true;
}

/** Helm values, following Cilium's kind guide (Documentation/installation/kind.rst). */
export function ciliumValues(ctx: CniContext): Record<string, unknown> {
  const values: Record<string, unknown> = {
    image: { pullPolicy: 'IfNotPresent' },
    // Use the node podCIDRs kind allocates from podSubnet; Cilium's default cluster-pool (10.0.0.0/8) ignores it.
    ipam: { mode: 'kubernetes' },
    // The operator defaults to 2 replicas with anti-affinity: on one node the second stays Pending forever.
    operator: { replicas: ctx.nodeCount === 1 ? 1 : 2 },
  };
  if (replacesKubeProxy(ctx.options)) {
    // Without kube-proxy the API's ClusterIP is unreachable until Cilium runs, so Cilium must talk to the
    // control-plane container directly on the kind network, on the in-container port 6443.
    // true|false only: strict/partial/probe were removed (https://github.com/cilium/cilium/pull/26577).
    values['kubeProxyReplacement'] = true;
    values['k8sServiceHost'] = `${ctx.kindName}-control-plane`;
    values['k8sServicePort'] = 6443;
  }
  if (ctx.options['hubble'] === true) values['hubble'] = { relay: { enabled: true } };
  return values;
}

export const cilium: CniPlugin = {
  name: 'cilium',
  description: 'Cilium (eBPF) through its Helm chart; enforces NetworkPolicy; optional kube-proxy replacement',
  defaultVersion: CILIUM_VERSION,
  versions: {
    pinned: CILIUM_VERSION,
    oldest: '1.16.0',
    spelling: 'plain',
    why: 'kconn waits for the cilium-envoy DaemonSet, deployed by the chart from Cilium 1.16 on',
  },
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kubeProxyReplacement: { type: 'boolean', description: 'run without kube-proxy (kind kubeProxyMode: none)' },
      hubble: { type: 'boolean', description: 'enable Hubble relay' },
    },
  },
  capabilities: (options) => (replacesKubeProxy(options) ? ['networkPolicy', 'kubeProxyReplacement'] : ['networkPolicy']),
  kindConfig: (ctx) =>
    replacesKubeProxy(ctx.options) ? { disableDefaultCNI: true, kubeProxyMode: 'none' } : { disableDefaultCNI: true },
  preCreateSteps: () => [],
  installSteps: (ctx) => [
    {
      action: 'helm-install',
      summary: `helm install cilium ${ctx.version}${replacesKubeProxy(ctx.options) ? ' (kube-proxy replacement)' : ''}`,
      release: 'cilium',
      repo: 'https://helm.cilium.io',
      chart: 'cilium',
      version: ctx.version,
      namespace: 'kube-system',
      values: ciliumValues(ctx),
    },
  ],
  diagnostics: () => [
    podsOf('cilium agent pods', 'kube-system', 'k8s-app=cilium'),
    podsOf('cilium-envoy pods', 'kube-system', 'k8s-app=cilium-envoy'),
    podsOf('cilium operator pods', 'kube-system', 'io.cilium/app=operator'),
  ],
  readinessSteps: () => [
    {
      action: 'wait',
      summary: 'wait for the cilium agent DaemonSet rollout',
      resource: 'daemonset',
      namespace: 'kube-system',
      name: 'cilium',
      condition: 'rollout-complete',
      timeout: CNI_WAIT_TIMEOUT,
    },
    {
      // Since Cilium 1.16 the chart runs Envoy as its own DaemonSet by default (envoy.enabled); L7 policy and
      // proxying need it (seen in `cilium status` output of 1.17 and https://github.com/rancher/rke2/issues/6682).
      action: 'wait',
      summary: 'wait for the cilium-envoy DaemonSet rollout',
      resource: 'daemonset',
      namespace: 'kube-system',
      name: 'cilium-envoy',
      condition: 'rollout-complete',
      timeout: CNI_WAIT_TIMEOUT,
    },
    {
      action: 'wait',
      summary: 'wait for the cilium-operator Deployment rollout',
      resource: 'deployment',
      namespace: 'kube-system',
      name: 'cilium-operator',
      condition: 'rollout-complete',
      timeout: CNI_WAIT_TIMEOUT,
    },
  ],
};
