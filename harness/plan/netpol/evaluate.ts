import type { TransportProtocol, TruthTable, TruthTablePort } from '../../model/suite.js';
import { gridPods, servePortName, type Grid, type GridPod } from './grid.js';
import { selectorMatches } from './labelSelector.js';
import { rulePeersMatch } from './peers.js';
import { parseNetworkPolicy, policyId, type NetworkPolicy, type PolicyRule } from './policy.js';
import { rulePortsMatch, type Traffic } from './ports.js';

/** A rule of a policy: `x/allow-from-y` ingress[0]. */
export interface RuleRef {
  /** `namespace/name` of the policy. */
  readonly policy: string;
  readonly rule: number;
}

/** What the policies of one side of a cell decide: egress of the source, or ingress of the destination. */
export interface DirectionVerdict {
  readonly allowed: boolean;
  /** The pod is isolated in this direction: selected by at least one policy of that type. */
  readonly isolated: boolean;
  /** `namespace/name` of every policy that selects the pod for this direction. */
  readonly policies: readonly string[];
  /** The rules that allow the traffic (any one is enough); empty when isolated and denied, or when not isolated. */
  readonly allowedBy: readonly RuleRef[];
}

export interface TruthCell {
  /** `namespace/pod` of the source. */
  readonly from: string;
  /** `namespace/pod` of the destination. */
  readonly to: string;
  readonly port: number;
  readonly protocol: TransportProtocol;
  /** The expected outcome: the source's egress AND the destination's ingress allow it (or it is loopback). */
  readonly allowed: boolean;
  /**
   * A pod to itself. The Kubernetes docs (concepts/services-networking/network-policies: "a pod cannot block access
   * to itself") make it allowed whatever the policies say; `egress` and `ingress` still say what the rules decide,
   * and the upstream e2e suite does not judge these cells (ignoreLoopback; CNIs differ, kubernetes#95879).
   */
  readonly loopback: boolean;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
}

export interface TruthTableResult {
  /** `namespace/pod` of every pod, in grid order (rows and columns of the grids). */
  readonly pods: readonly string[];
  readonly ports: readonly TruthTablePort[];
  /** Every port (grid order), then every source, then every destination. */
  readonly cells: readonly TruthCell[];
}

interface Selecting {
  readonly policy: NetworkPolicy;
  readonly id: string;
}

/** Policies that select `pod` for one direction: same namespace, podSelector matches, the type applies. */
function selecting(policies: readonly NetworkPolicy[], pod: GridPod, direction: 'ingress' | 'egress'): Selecting[] {
  return policies
    .filter((p) => p.namespace === pod.namespace && (direction === 'ingress' ? p.affectsIngress : p.affectsEgress) && selectorMatches(p.podSelector, pod.labels))
    .map((policy) => ({ policy, id: policyId(policy) }));
}

function verdict(selected: readonly Selecting[], direction: 'ingress' | 'egress', peer: GridPod, traffic: Traffic): DirectionVerdict {
  if (selected.length === 0) return { allowed: true, isolated: false, policies: [], allowedBy: [] };
  const allowedBy: RuleRef[] = [];
  for (const { policy, id } of selected) {
    const rules: readonly PolicyRule[] = direction === 'ingress' ? policy.ingress : policy.egress;
    for (const rule of rules) {
      if (rulePeersMatch(rule, policy.namespace, peer) && rulePortsMatch(rule, traffic)) allowedBy.push({ policy: id, rule: rule.index });
    }
  }
  return { allowed: allowedBy.length > 0, isolated: true, policies: selected.map((s) => s.id), allowedBy };
}

/**
 * The expected reachability of every ordered pair of pods of the grid (self included) on every port, under the
 * NetworkPolicy semantics of Kubernetes. Pure: same grid and policies, same table.
 */
export function evaluate(grid: Grid, policies: readonly NetworkPolicy[]): TruthTableResult {
  const pods = gridPods(grid);
  const ingressOf = new Map(pods.map((p) => [p.id, selecting(policies, p, 'ingress')]));
  const egressOf = new Map(pods.map((p) => [p.id, selecting(policies, p, 'egress')]));
  const cells: TruthCell[] = [];
  for (const { port, protocol } of grid.ports) {
    const traffic: Traffic = { port, protocol, portName: servePortName(port, protocol) };
    for (const from of pods) {
      for (const to of pods) {
        const egress = verdict(egressOf.get(from.id)!, 'egress', to, traffic);
        const ingress = verdict(ingressOf.get(to.id)!, 'ingress', from, traffic);
        const loopback = from.id === to.id;
        cells.push({ from: from.id, to: to.id, port, protocol, allowed: loopback || (egress.allowed && ingress.allowed), loopback, egress, ingress });
      }
    }
  }
  return { pods: pods.map((p) => p.id), ports: grid.ports, cells };
}

/** Parses the policies of a loaded truth table (the loader has validated them) and evaluates its grid. */
export function evaluateTruthTable(table: TruthTable): TruthTableResult {
  const policies = table.policies.map((p) => {
    const parsed = parseNetworkPolicy(p.object);
    if (!parsed.policy) throw new Error(`policy ${p.namespace}/${p.name} of ${p.source.file} is invalid: ${parsed.problems.map((x) => x.message).join('; ')}`);
    return parsed.policy;
  });
  return evaluate(table, policies);
}
