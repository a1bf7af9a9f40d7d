import { formatIpv4, parseCidr } from '../../model/cidr.js';
import { METALLB_NAMESPACE } from './pins.js';

/**
 * Where the east-west gateways get their LoadBalancer addresses. `metallb`: kconn installs MetalLB in every cluster
 * with its own slice of the `kind` Docker network. `cloud-provider-kind`: you run cloud-provider-kind on the host (one
 * process serves every kind cluster, https://github.com/kubernetes-sigs/cloud-provider-kind) and kconn only waits for
 * the address. `none`: nothing would give one, so kconn refuses the topology (multi-network Istio needs the gateways
 * reachable from the other clusters: https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).
 */
export const LOAD_BALANCERS = ['metallb', 'cloud-provider-kind', 'none'] as const;
export type LoadBalancer = (typeof LOAD_BALANCERS)[number];

/** A cluster's MetalLB range, first and last address included. */
export interface AddressSlice {
  readonly cluster: string;
  readonly first: string;
  readonly last: string;
}

export type SliceResult = { readonly ok: true; readonly slices: readonly AddressSlice[] } | { readonly ok: false; readonly reason: string };

/** Most addresses a cluster gets: one per LoadBalancer Service, and the suites make none of their own. */
const MAX_SLICE = 64;
/** Fewest addresses worth a slice (the east-west gateway takes one; room for a retry of the allocator). */
const MIN_SLICE = 4;

/** FNV-1a, 32 bits: a stable spread of runs over the slots (not a security function). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Distinct, consecutive MetalLB ranges for `clusters`, in the upper half of the `kind` Docker network (Docker hands
 * node containers addresses from the low end up, so the upper half stays clear of nodes; Submariner's Shipyard carves
 * `.N.100-.N.250` per cluster out of the same network for the same reason). The slices of one run sit at a slot picked
 * from `seed` (the clusters' kind names hold the run id), so runs sharing the network (a matrix) rarely meet; the top
 * slot is never used, which keeps the broadcast address out. Pure.
 */
export function metallbSlices(kindNetwork: string, clusters: readonly string[], seed: string): SliceResult {
  const parsed = parseCidr(kindNetwork);
  if (!parsed.ok) return { ok: false, reason: `kind network ${kindNetwork}: ${parsed.reason}` };
  const { base, prefix } = parsed.cidr;
  const half = 2 ** (32 - prefix) / 2;
  let size = MAX_SLICE;
  while (size > MIN_SLICE && size * 16 > half) size /= 2;
  const slots = Math.floor(half / size) - 1;
  if (slots < clusters.length) {
    const room = slots > 0 ? `its upper half holds ${slots} slice(s) of ${size} addresses` : 'its upper half has no room for a slice';
    return { ok: false, reason: `the kind network ${kindNetwork} is too small for MetalLB: ${room}, and the topology needs ${clusters.length}` };
  }
  const start = fnv1a(seed) % (slots - clusters.length + 1);
  const upper = base + half;
  return {
    ok: true,
    slices: clusters.map((cluster, i) => {
      const first = upper + (start + i) * size;
      return { cluster, first: formatIpv4(first), last: formatIpv4(first + size - 1) };
    }),
  };
}

export function poolName(cluster: string): string {
  return `kconn-${cluster}`;
}

/** The IPAddressPool and L2Advertisement that give a cluster's LoadBalancer Services its slice (https://metallb.universe.tf/configuration/). */
export function metallbObjects(slice: AddressSlice): Record<string, unknown>[] {
  const name = poolName(slice.cluster);
  return [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name, namespace: METALLB_NAMESPACE },
      spec: { addresses: [`${slice.first}-${slice.last}`] },
    },
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name, namespace: METALLB_NAMESPACE },
      spec: { ipAddressPools: [name] },
    },
  ];
}
