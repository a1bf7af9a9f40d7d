import type { SourceRef } from './source.js';

export const KUBE_PROXY_MODES = ['iptables', 'ipvs', 'nftables', 'none'] as const;
export type KubeProxyMode = (typeof KUBE_PROXY_MODES)[number];

/** A CNI choice: `calico`, or `{name: cilium, version: 1.19.7, options: {...}}`. */
export interface CniRef {
  readonly name: string;
  readonly version?: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ClusterSpec {
  readonly name: string;
  readonly workers: number;
  readonly cni?: CniRef;
  readonly podSubnet?: string;
  readonly serviceSubnet?: string;
  readonly kubeProxyMode?: KubeProxyMode;
  readonly source: SourceRef;
}

export interface MulticlusterSpec {
  readonly provider: string;
  readonly version?: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly source?: SourceRef;
}

/** `spec.gateway`: a Gateway API and Ingress controller `kconn up` installs in every cluster. */
export interface GatewaySpec {
  readonly provider: 'traefik';
  /** The controller's image instead of the pinned upstream one (a mirror, a local build). */
  readonly image?: string;
  readonly source: SourceRef;
}

export interface Topology {
  readonly name: string;
  readonly kubernetesVersion?: string;
  /** A node image of the user's own instead of the pinned kindest/node (a mirror, an air-gapped registry, a local build). */
  readonly nodeImage?: string;
  readonly nodeImageSource?: SourceRef;
  readonly cni?: CniRef;
  readonly clusters: readonly ClusterSpec[];
  readonly multicluster?: MulticlusterSpec;
  readonly gateway?: GatewaySpec;
  readonly source: SourceRef;
}
