import type { MeshContext, MeshIncompatibility } from '../meshProvider.js';
import { metallbSlices } from './loadBalancer.js';
import { istioOptions } from './options.js';

/**
 * What the Istio provider refuses before anything is created, each with the fix. Pure.
 * - No way to give the east-west gateways LoadBalancer addresses (loadBalancer: none).
 * - MetalLB's layer-2 mode with kube-proxy in IPVS mode needs strictARP, which kconn does not set
 *   (https://metallb.universe.tf/installation/#preparation).
 * - MetalLB on a kind network (known at plan time) too small for a slice per cluster, or IPv6-only.
 * - Cilium replacing kube-proxy without socketLB.hostNamespaceOnly (kconn's Cilium does not set it) bypasses the
 *   sidecars' redirection (https://docs.cilium.io/en/stable/network/servicemesh/istio/, istio/istio#27619).
 */
export function istioIncompatibilities(ctx: MeshContext): MeshIncompatibility[] {
  const options = istioOptions(ctx.options);
  const problems: MeshIncompatibility[] = [];
  if (options.loadBalancer === 'none' && ctx.clusters.length) {
    problems.push({
      cluster: ctx.clusters[0]!.name,
      message: "Istio on different networks needs a LoadBalancer address for every cluster's east-west gateway, reachable from the other clusters, and loadBalancer: none gives none",
      fix: 'set loadBalancer to metallb (kconn installs it) or cloud-provider-kind (you run it on the host)',
      concerns: 'options',
      option: 'loadBalancer',
    });
  }
  for (const c of ctx.clusters) {
    if (options.loadBalancer === 'metallb' && c.kubeProxyMode === 'ipvs') {
      problems.push({
        cluster: c.name,
        message: 'MetalLB in layer-2 mode needs strictARP with kube-proxy in IPVS mode (https://metallb.universe.tf/installation/#preparation), which kconn does not set',
        fix: 'use kubeProxyMode iptables or nftables, or loadBalancer: cloud-provider-kind',
        concerns: 'kubeProxyMode',
      });
    }
    if (c.cni === 'cilium' && c.cniOptions?.['kubeProxyReplacement'] === true) {
      problems.push({
        cluster: c.name,
        message:
          "Cilium's kube-proxy replacement balances sockets inside pods and bypasses Istio's sidecars unless socketLB.hostNamespaceOnly is set (https://docs.cilium.io/en/stable/network/servicemesh/istio/), which kconn's Cilium does not set",
        fix: 'use cilium without kubeProxyReplacement, or another CNI',
        concerns: 'cni',
      });
    }
  }
  if (options.loadBalancer === 'metallb' && ctx.kindNetwork && ctx.clusters.length) {
    const slices = metallbSlices(ctx.kindNetwork, ctx.clusters.map((c) => c.name), ctx.clusters.map((c) => c.kindName).join(','));
    if (!slices.ok) {
      problems.push({
        cluster: ctx.clusters[0]!.name,
        message: slices.reason,
        fix: 'give the kind Docker network a larger IPv4 subnet, or use loadBalancer: cloud-provider-kind',
        concerns: 'options',
        option: 'loadBalancer',
      });
    }
  }
  return problems;
}
