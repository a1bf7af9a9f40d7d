import { podsOf, type CniPlugin } from './cniPlugin.js';

/**
 * kind's default CNI. Nothing to install. Network policy is enforced since kind v0.24.0 through
 * sigs.k8s.io/kube-network-policies (https://github.com/kubernetes-sigs/kind/pull/3612, kind v0.24.0 release notes).
 */
export const kindnet: CniPlugin = {
  name: 'kindnet',
  description: "kind's default CNI (kindnetd), with NetworkPolicy support since kind v0.24.0",
  defaultVersion: 'bundled',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  capabilities: () => ['networkPolicy'],
  kindConfig: () => ({ disableDefaultCNI: false }),
  preCreateSteps: () => [],
  installSteps: () => [],
  diagnostics: () => [podsOf('kindnet pods', 'kube-system', 'app=kindnet')],
  readinessSteps: () => [
    {
      action: 'wait',
      summary: 'wait for the kindnet DaemonSet rollout',
      resource: 'daemonset',
      namespace: 'kube-system',
      name: 'kindnet',
      condition: 'rollout-complete',
      timeout: '3m',
    },
  ],
};
