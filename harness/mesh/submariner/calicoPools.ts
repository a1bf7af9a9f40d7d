import type { MeshCluster } from '../meshProvider.js';

/** A Calico IPPool as kconn creates it for Submariner. */
export interface SubmarinerIpPool {
  readonly apiVersion: string;
  readonly kind: 'IPPool';
  readonly metadata: { readonly name: string };
  readonly spec: { readonly cidr: string; readonly natOutgoing: false; readonly disabled: true };
  readonly [key: string]: unknown;
}

/**
 * One pool per remote pod and service range, `natOutgoing: false` (Calico must not masquerade traffic to them) and
 * `disabled: true` (no local pod gets an address from them): https://submariner.io/operations/deployment/calico/.
 * Without the Calico API server (kconn's default) the pool goes to the CRD the operator installs,
 * crd.projectcalico.org/v1 IPPool, whose spec has `cidr`, `natOutgoing` and `disabled` (projectcalico/calico
 * libcalico-go/config/crd/crd.projectcalico.org_ippools.yaml); with it (cni option apiServer: true), through
 * projectcalico.org/v3, the API the Calico docs use.
 */
export function calicoIpPools(local: MeshCluster, clusters: readonly MeshCluster[]): SubmarinerIpPool[] {
  const apiVersion = local.cniOptions?.['apiServer'] === true ? 'projectcalico.org/v3' : 'crd.projectcalico.org/v1';
  return clusters
    .filter((r) => r.name !== local.name)
    .flatMap((r) => [
      { apiVersion, kind: 'IPPool' as const, metadata: { name: `submariner-${r.name}-pods` }, spec: { cidr: r.podSubnet, natOutgoing: false as const, disabled: true as const } },
      { apiVersion, kind: 'IPPool' as const, metadata: { name: `submariner-${r.name}-services` }, spec: { cidr: r.serviceSubnet, natOutgoing: false as const, disabled: true as const } },
    ]);
}
