import type { TransportProtocol } from '../../model/suite.js';
import type { PolicyPort, PolicyRule } from './policy.js';

/** The traffic a cell stands for: one destination port of the destination pod. */
export interface Traffic {
  readonly port: number;
  readonly protocol: TransportProtocol;
  /** The destination pod's container port name for this port and protocol. */
  readonly portName: string;
}

/**
 * Whether a port entry of a rule matches the traffic. Pure.
 * The protocol must be equal (absent = TCP, applied when the policy was read). No port: every port of that protocol.
 * A number matches that port, or with endPort the range port..endPort inclusive. A name matches the destination
 * pod's container port of that name (for ingress and egress alike: named ports are resolved on the destination).
 */
export function portMatches(entry: PolicyPort, traffic: Traffic): boolean {
  if (entry.protocol !== traffic.protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') return entry.port === traffic.portName;
  if (entry.endPort !== undefined) return traffic.port >= entry.port && traffic.port <= entry.endPort;
  return traffic.port === entry.port;
}

/** A rule's ports are OR'd; a rule without ports matches every port and protocol. */
export function rulePortsMatch(rule: PolicyRule, traffic: Traffic): boolean {
  return rule.ports === undefined || rule.ports.some((p) => portMatches(p, traffic));
}
