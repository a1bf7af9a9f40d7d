import { formatRange } from '../../plan/netpol/ipBlock.js';
import { describeSelector, isEmptySelector, selectorMatches, type LabelSelector } from '../../plan/netpol/labelSelector.js';
import { NETWORK_POLICY_API_VERSION, parseNetworkPolicy, type NetworkPolicy, type PolicyPeer, type PolicyPort, type PolicyRule } from '../../plan/netpol/policy.js';
import { isRecord } from '../../plan/netpol/problem.js';

/** A pod of the policy's namespace, as far as a policy cares: its name and labels. */
export interface LabelledPod {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The pods of the failing test in the policy's namespace: the source pod, the destination pods. */
export interface PodRoles {
  readonly source?: string;
  readonly destinations?: readonly string[];
}

const withLabels = (s: LabelSelector): string => `with ${describeSelector(s)}`;

function describePeer(peer: PolicyPeer, namespace: string): string {
  if (peer.kind === 'ipBlock') {
    const except = peer.except.length ? ` except ${peer.except.map(formatRange).join(', ')}` : '';
    return `addresses in ${formatRange(peer.cidr)}${except}`;
  }
  const pods = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods ${withLabels(peer.podSelector)}` : 'every pod';
  if (!peer.namespaceSelector) return `${pods} in namespace ${namespace}`;
  if (isEmptySelector(peer.namespaceSelector)) return `${pods} in every namespace`;
  return `${pods} in namespaces ${withLabels(peer.namespaceSelector)}`;
}

function describePort(p: PolicyPort): string {
  if (p.port === undefined) return `any ${p.protocol} port`;
  if (typeof p.port === 'string') return `the port named "${p.port}" (${p.protocol})`;
  return p.endPort !== undefined && p.endPort !== p.port ? `ports ${p.port}-${p.endPort}/${p.protocol}` : `${p.port}/${p.protocol}`;
}

function describeRule(rule: PolicyRule, direction: 'ingress' | 'egress', namespace: string): string {
  const word = direction === 'ingress' ? 'from' : 'to';
  const peers = rule.peers ? rule.peers.map((p) => describePeer(p, namespace)).join(', or ') : 'anywhere';
  const ports = rule.ports ? `on ${rule.ports.map(describePort).join(', ')}` : 'on any port';
  return `rule ${rule.index + 1}: ${word} ${peers}, ${ports}`;
}

function describeDirection(policy: NetworkPolicy, direction: 'ingress' | 'egress'): string[] {
  const affected = direction === 'ingress' ? policy.affectsIngress : policy.affectsEgress;
  const rules = direction === 'ingress' ? policy.ingress : policy.egress;
  const what = direction === 'ingress' ? 'comes in' : 'goes out';
  if (!affected) return [`${direction}: not affected by this policy`];
  if (rules.length === 0) return [`${direction}: denied: the selected pods are isolated and no rule lets anything ${direction === 'ingress' ? 'in' : 'out'}`];
  return [
    `${direction}: isolated: only what a rule allows ${what} (or what another policy selecting the pod allows)`,
    ...rules.map((r) => `  ${describeRule(r, direction, policy.namespace ?? '(no namespace)')}`),
  ];
}

/** The policy's own fields, as the loader's parser reads them (a live object carries status, managedFields...). */
function asWritten(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  return {
    apiVersion: object['apiVersion'] ?? NETWORK_POLICY_API_VERSION,
    kind: object['kind'] ?? 'NetworkPolicy',
    metadata: { name: metadata['name'], ...(metadata['namespace'] !== undefined ? { namespace: metadata['namespace'] } : {}) },
    ...(object['spec'] !== undefined ? { spec: object['spec'] } : {}),
  };
}

/**
 * A NetworkPolicy in words, like `kubectl describe networkpolicy`: which pods it selects (and which of `pods` that is
 * now), what it lets in and out, rule by rule, and what it means for the failing test (`roles`): whether it selects
 * the source (its egress rules apply) or a destination (its ingress rules apply). A policy that cannot be read says why.
 */
export function describePolicy(object: Readonly<Record<string, unknown>>, pods?: readonly LabelledPod[], roles: PodRoles = {}): string[] {
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const id = `${String(metadata['namespace'] ?? '(no namespace)')}/${String(metadata['name'] ?? '(no name)')}`;
  const { policy, problems } = parseNetworkPolicy(asWritten(object));
  if (!policy) return [`NetworkPolicy ${id}: cannot be read: ${problems.filter((p) => !p.warning).map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`];
  const namespace = policy.namespace ?? '(no namespace)';
  const selectedPods = pods?.filter((p) => selectorMatches(policy.podSelector, p.labels)).map((p) => p.name);
  const now = selectedPods === undefined ? '' : ` (now: ${selectedPods.length ? selectedPods.join(', ') : 'none'})`;
  const selects = isEmptySelector(policy.podSelector) ? `every pod in namespace ${namespace}` : `pods ${withLabels(policy.podSelector)} in namespace ${namespace}`;
  const types = [policy.affectsIngress ? 'Ingress' : '', policy.affectsEgress ? 'Egress' : ''].filter(Boolean).join(', ');
  const lines = [
    `NetworkPolicy ${id}`,
    `  selects: ${selects}${now}`,
    `  policy types: ${types || 'none'}`,
    ...describeDirection(policy, 'ingress').map((l) => `  ${l}`),
    ...describeDirection(policy, 'egress').map((l) => `  ${l}`),
  ];
  if (selectedPods !== undefined && (roles.source !== undefined || roles.destinations?.length)) {
    const effects: string[] = [];
    if (roles.source !== undefined && selectedPods.includes(roles.source)) {
      effects.push(`selects the source ${roles.source}: ${policy.affectsEgress ? 'its egress rules decide what the source may send' : 'but does not restrict its egress'}`);
    }
    const destinations = (roles.destinations ?? []).filter((d) => selectedPods.includes(d));
    if (destinations.length) {
      effects.push(`selects the destination${destinations.length > 1 ? 's' : ''} ${destinations.join(', ')}: ${policy.affectsIngress ? 'its ingress rules decide what may reach them' : 'but does not restrict their ingress'}`);
    }
    lines.push(`  for this test: ${effects.length ? effects.join('; ') : 'selects neither the source nor a destination of this test'}`);
  }
  return lines;
}
