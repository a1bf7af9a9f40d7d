/** Capabilities a cluster (through its CNI) or a topology (through its multi-cluster provider) offers. */
export const CAPABILITIES = [
  'networkPolicy',
  'kubeProxyReplacement',
  'multiCluster',
  'crossClusterPodRouting',
  'crossClusterServiceDiscovery',
  'mtls',
] as const;

export type Capability = (typeof CAPABILITIES)[number];
