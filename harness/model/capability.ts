/** Capabilities a cluster (through its CNI) or a topology (through its multi-cluster provider) offers. */
export const CAPABILITIES = [
  'networkPolicy',
  'kubeProxyReplacement',
  'multiCluster',
  'crossClusterPodRouting',
  'crossClusterServiceDiscovery',
  /**
   * The Multi-Cluster Services API (KEP-1645): a ServiceExport makes a ServiceImport and the name
   * <svc>.<ns>.svc.clusterset.local in the other clusters (Submariner's Lighthouse; not Istio).
   */
  'multiClusterServices',
  'mtls',
  /** Two or more nodes that take pods (kind's control plane does, for pods that tolerate its taint). */
  'multiNode',
  /**
   * A Gateway API (standard channel) and Ingress controller that terminates TLS, with GatewayClass and IngressClass
   * `kconn`: the topology's `spec.gateway` (Traefik).
   */
  'gateway',
] as const;

export type Capability = (typeof CAPABILITIES)[number];
