import type { KindConfigContribution } from '../cni/cniPlugin.js';
import type { KubeProxyMode } from '../model/topology.js';

export interface KindConfigInput {
  readonly kindName: string;
  readonly workers: number;
  readonly nodeImage: string;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  /** Only written when declared or required by the CNI; kind's default is iptables. */
  readonly kubeProxyMode?: KubeProxyMode;
  readonly cni: KindConfigContribution;
}

/**
 * The exact kind.x-k8s.io/v1alpha4 Cluster object handed to `kind create cluster --config`
 * (https://kind.sigs.k8s.io/docs/user/configuration/). Every node carries the digest-pinned image.
 */
export function renderKindConfig(input: KindConfigInput): Record<string, unknown> {
  const networking: Record<string, unknown> = {
    ipFamily: 'ipv4',
    podSubnet: input.podSubnet,
    serviceSubnet: input.serviceSubnet,
  };
  if (input.cni.disableDefaultCNI) networking['disableDefaultCNI'] = true;
  if (input.kubeProxyMode) networking['kubeProxyMode'] = input.kubeProxyMode;
  const node = (role: 'control-plane' | 'worker'): Record<string, unknown> => ({
    role,
    image: input.nodeImage,
    ...(input.cni.extraMounts?.length ? { extraMounts: input.cni.extraMounts.map((m) => ({ ...m })) } : {}),
  });
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: input.kindName,
    networking,
    nodes: [node('control-plane'), ...Array.from({ length: input.workers }, () => node('worker'))],
  };
}
