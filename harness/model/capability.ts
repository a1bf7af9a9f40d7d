/** Capabilities a cluster (through its CNI) or a topology (through its multi-cluster provider) offers. */
export const CAPABILITIES = [
  'networkPolicy',
  'kubeProxyReplacement',
  'multiCluster',
  'crossClusterPodRouting',
  'crossClusterServiceDiscovery',
  'mtls',
  /** Two or more nodes that take pods (kind's control plane does, for pods that tolerate its taint). */
  'multiNode',
] as const;

export type Capability = (typeof CAPABILITIES)[number];
