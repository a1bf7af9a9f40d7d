import type { GridPod } from './grid.js';
import { parseIp, rangeContains } from './ipBlock.js';
import { selectorMatches } from './labelSelector.js';
import type { PolicyPeer, PolicyRule } from './policy.js';

/**
 * Whether a peer of a rule of a policy in `policyNamespace` selects the pod at the other end of the traffic
 * (the source for ingress, the destination for egress). Pure.
 *
 * - podSelector alone: pods of the policy's own namespace that match it;
 * - namespaceSelector alone: every pod of the namespaces that match it (by their labels, the automatic
 *   `kubernetes.io/metadata.name` included);
 * - both in one peer: pods matching podSelector in namespaces matching namespaceSelector (AND);
 * - ipBlock: pods whose IP lies in cidr and in none of except. A grid pod without a declared IP matches no ipBlock.
 */
export function peerMatches(peer: PolicyPeer, policyNamespace: string | undefined, pod: GridPod): boolean {
  if (peer.kind === 'ipBlock') {
    const ip = pod.ip === undefined ? undefined : parseIp(pod.ip);
    if (!ip || !rangeContains(peer.cidr, ip)) return false;
    return !peer.except.some((e) => rangeContains(e, ip));
  }
  const inNamespace = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, pod.namespaceLabels) : pod.namespace === policyNamespace;
  if (!inNamespace) return false;
  return peer.podSelector ? selectorMatches(peer.podSelector, pod.labels) : true;
}

/** A rule's peers are OR'd; a rule without peers matches every peer. */
export function rulePeersMatch(rule: PolicyRule, policyNamespace: string | undefined, pod: GridPod): boolean {
  return rule.peers === undefined || rule.peers.some((p) => peerMatches(p, policyNamespace, pod));
}
