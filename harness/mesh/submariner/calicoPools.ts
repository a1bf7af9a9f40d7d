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
 * They go to the CRD the operator installs, crd.projectcalico.org/v1 IPPool, whose spec has `cidr` (required),
 * `natOutgoing` and `disabled` (projectcalico/calico libcalico-go/config/crd/crd.projectcalico.org_ippools.yaml).
 * A cluster with the Calico API server (cni option apiServer: true) gets none from kconn: the gateway's route agent
 * creates the same pools itself there, through projectcalico.org/v3 only (submariner
 * pkg/routeagent_driver/handlers/calico/ippool_handler.go, "is Calico API server running?"; submariner#2576), and
 * Calico's API refuses a second pool with the same range.
 */
export function calicoIpPools(local: MeshCluster, clusters: readonly MeshCluster[]): SubmarinerIpPool[] {
  if (local.cni !== 'calico' || local.cniOptions?.['apiServer'] === true) return [];
  const apiVersion = 'crd.projectcalico.org/v1';
  return clusters
    .filter((r) => r.name !== local.name)
    .flatMap((r) => [
      { apiVersion, kind: 'IPPool' as const, metadata: { name: `submariner-${r.name}-pods` }, spec: { cidr: r.podSubnet, natOutgoing: false as const, disabled: true as const } },
      { apiVersion, kind: 'IPPool' as const, metadata: { name: `submariner-${r.name}-services` }, spec: { cidr: r.serviceSubnet, natOutgoing: false as const, disabled: true as const } },
    ]);
}
