import { TRANSPORT_PROTOCOLS, type TransportProtocol } from '../../model/suite.js';
import { parseIpRange, strictSubset, formatRange, type IpRange } from './ipBlock.js';
import { EVERYTHING, parseLabelSelector, type LabelSelector } from './labelSelector.js';
import { describeValue, isRecord, unknownFields, type FieldPath, type Problem } from './problem.js';

/**
 * A networking.k8s.io/v1 NetworkPolicy, read into the shape its semantics need (k8s.io/api networking/v1 types.go),
 * with the API's defaults applied: protocol TCP, policyTypes from the rules present. Pure.
 */
export interface PolicyPort {
  readonly protocol: TransportProtocol;
  /** Absent: every port of the protocol. A string is a named port of the destination pod. */
  readonly port?: number | string;
  /** With a numeric port: the range port..endPort, inclusive. */
  readonly endPort?: number;
}

export type PolicyPeer =
  /** Pods: podSelector alone = in the policy's namespace; namespaceSelector alone = every pod there; both = AND. */
  | { readonly kind: 'pods'; readonly podSelector?: LabelSelector; readonly namespaceSelector?: LabelSelector }
  | { readonly kind: 'ipBlock'; readonly cidr: IpRange; readonly except: readonly IpRange[] };

export interface PolicyRule {
  /** Position in spec.ingress or spec.egress. */
  readonly index: number;
  /** Absent (or empty in the file): every peer. Listed peers are OR'd. */
  readonly peers?: readonly PolicyPeer[];
  /** Absent (or empty in the file): every port. Listed ports are OR'd. */
  readonly ports?: readonly PolicyPort[];
}

export interface NetworkPolicy {
  readonly name: string;
  /** metadata.namespace; a policy applies to pods of its own namespace only. */
  readonly namespace?: string;
  readonly podSelector: LabelSelector;
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

export const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';

export function policyId(policy: Pick<NetworkPolicy, 'namespace' | 'name'>): string {
  return `${policy.namespace ?? '(no namespace)'}/${policy.name}`;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A container port name (IANA_SVC_NAME): at most 15 characters, lowercase letters, digits and single '-', one letter at least. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `port name "${name}" is ${name.length} characters; a port name has at most 15`;
  if (!PORT_NAME.test(name) || name.includes('--')) return `port name "${name}" may hold only lowercase letters, digits and single "-" between them`;
  if (!/[a-z]/.test(name)) return `port name "${name}" needs a letter${/^\d+$/.test(name) ? ` (for port number ${name}, remove the quotes)` : ''}`;
  return undefined;
}

/** Reads and validates one NetworkPolicy object as the API server would, with every problem at its field. */
export function parseNetworkPolicy(raw: unknown): { policy?: NetworkPolicy; problems: Problem[] } {
  if (!isRecord(raw)) return { problems: [{ path: [], message: `expected a NetworkPolicy object, got ${describeValue(raw)}` }] };
  const problems: Problem[] = unknownFields(raw, ['apiVersion', 'kind', 'metadata', 'spec'], []);
  if (raw['kind'] !== 'NetworkPolicy') problems.push({ path: ['kind'], message: `expected kind NetworkPolicy, got ${describeValue(raw['kind'])}` });
  if (raw['apiVersion'] !== NETWORK_POLICY_API_VERSION) {
    problems.push({ path: ['apiVersion'], message: `a NetworkPolicy is ${NETWORK_POLICY_API_VERSION}, not ${describeValue(raw['apiVersion'])}` });
  }
  const metadata = raw['metadata'];
  let name: string | undefined;
  let namespace: string | undefined;
  if (!isRecord(metadata)) problems.push({ path: ['metadata'], message: 'missing metadata.name' });
  else {
    const n = metadata['name'];
    if (typeof n !== 'string') problems.push({ path: ['metadata', 'name'], message: n === undefined ? 'missing metadata.name' : `expected a name, got ${describeValue(n)}` });
    else if (n.length > 253 || !SUBDOMAIN.test(n)) problems.push({ path: ['metadata', 'name'], message: `invalid name "${n}": a DNS subdomain (lowercase letters, digits, "-" and ".")` });
    else name = n;
    const ns = metadata['namespace'];
    if (typeof ns === 'string') {
      if (ns.length > 63 || !DNS_LABEL.test(ns)) problems.push({ path: ['metadata', 'namespace'], message: `invalid namespace "${ns}": a DNS-1123 label` });
      else namespace = ns;
    } else if (ns !== undefined && ns !== null) problems.push({ path: ['metadata', 'namespace'], message: `expected a namespace name, got ${describeValue(ns)}` });
  }

  const spec = raw['spec'] ?? {};
  if (!isRecord(spec)) {
    problems.push({ path: ['spec'], message: `expected a map (podSelector, policyTypes, ingress, egress), got ${describeValue(spec)}` });
    return { problems };
  }
  problems.push(...unknownFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], ['spec']));
  const podSelector = parseLabelSelector(spec['podSelector'], ['spec', 'podSelector']);
  problems.push(...podSelector.problems);
  const ingress = parseRules(spec['ingress'], 'ingress', problems);
  const egress = parseRules(spec['egress'], 'egress', problems);
  const types = parsePolicyTypes(spec['policyTypes'], problems);
  // Defaulting (API server): without policyTypes, Ingress always, and Egress when the policy has egress rules.
  const affectsIngress = types ? types.includes('Ingress') : true;
  const affectsEgress = types ? types.includes('Egress') : egress.length > 0;
  if (problems.some((p) => !p.warning) || name === undefined) return { problems };
  return {
    policy: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      podSelector: podSelector.selector ?? EVERYTHING,
      affectsIngress,
      affectsEgress,
      ingress,
      egress,
    },
    problems,
  };
}

function parsePolicyTypes(raw: unknown, problems: Problem[]): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    problems.push({ path: ['spec', 'policyTypes'], message: `expected a list of Ingress and/or Egress, got ${describeValue(raw)}` });
    return undefined;
  }
  const seen: string[] = [];
  raw.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') problems.push({ path: ['spec', 'policyTypes', i], message: `unknown policy type ${describeValue(t)}; valid values: Ingress, Egress` });
    else if (seen.includes(t)) problems.push({ path: ['spec', 'policyTypes', i], message: `${t} is listed twice` });
    else seen.push(t);
  });
  // An empty list is defaulted like a missing one.
  return raw.length ? seen : undefined;
}

function parseRules(raw: unknown, direction: 'ingress' | 'egress', problems: Problem[]): PolicyRule[] {
  const path: FieldPath = ['spec', direction];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path, message: `expected a list of rules, got ${describeValue(raw)}` });
    return [];
  }
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const wrongField = direction === 'ingress' ? 'to' : 'from';
  const rules: PolicyRule[] = [];
  raw.forEach((r, index) => {
    const at: FieldPath = [...path, index];
    if (!isRecord(r)) {
      problems.push({ path: at, message: `expected a rule (${peerField}, ports; {} allows everything), got ${describeValue(r)}` });
      return;
    }
    for (const key of Object.keys(r)) {
      if (key === peerField || key === 'ports') continue;
      problems.push({
        path: [...at, key],
        message: key === wrongField ? `an ${direction} rule has "${peerField}", not "${wrongField}"` : `unknown field "${key}"; known fields: ${peerField}, ports`,
      });
    }
    const peers = parsePeers(r[peerField], [...at, peerField], problems);
    const ports = parsePorts(r['ports'], [...at, 'ports'], problems);
    rules.push({ index, ...(peers && peers.length ? { peers } : {}), ...(ports && ports.length ? { ports } : {}) });
  });
  return rules;
}

function parsePeers(raw: unknown, path: FieldPath, problems: Problem[]): PolicyPeer[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    problems.push({ path, message: `expected a list of peers (podSelector, namespaceSelector, ipBlock), got ${describeValue(raw)}` });
    return undefined;
  }
  const peers: PolicyPeer[] = [];
  raw.forEach((p, i) => {
    const at: FieldPath = [...path, i];
    if (!isRecord(p)) {
      problems.push({ path: at, message: `expected a peer (podSelector, namespaceSelector or ipBlock), got ${describeValue(p)}` });
      return;
    }
    problems.push(...unknownFields(p, ['podSelector', 'namespaceSelector', 'ipBlock'], at));
    const has = (k: string): boolean => p[k] !== undefined && p[k] !== null;
    if (has('ipBlock')) {
      if (has('podSelector') || has('namespaceSelector')) {
        problems.push({ path: [...at, 'ipBlock'], message: 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer; write two peers' });
        return;
      }
      const block = parseIpBlock(p['ipBlock'], [...at, 'ipBlock'], problems);
      if (block) peers.push(block);
      return;
    }
    if (!has('podSelector') && !has('namespaceSelector')) {
      problems.push({ path: at, message: 'a peer needs podSelector, namespaceSelector or ipBlock (an empty peer selects nothing; leave the list out to allow everything)' });
      return;
    }
    const pods = has('podSelector') ? parseLabelSelector(p['podSelector'], [...at, 'podSelector']) : undefined;
    const namespaces = has('namespaceSelector') ? parseLabelSelector(p['namespaceSelector'], [...at, 'namespaceSelector']) : undefined;
    problems.push(...(pods?.problems ?? []), ...(namespaces?.problems ?? []));
    peers.push({
      kind: 'pods',
      ...(pods?.selector ? { podSelector: pods.selector } : {}),
      ...(namespaces?.selector ? { namespaceSelector: namespaces.selector } : {}),
    });
  });
  return peers;
}

function parseIpBlock(raw: unknown, path: FieldPath, problems: Problem[]): PolicyPeer | undefined {
  if (!isRecord(raw)) {
    problems.push({ path, message: `expected {cidr, except}, got ${describeValue(raw)}` });
    return undefined;
  }
  problems.push(...unknownFields(raw, ['cidr', 'except'], path));
  const cidrText = raw['cidr'];
  if (typeof cidrText !== 'string') {
    problems.push({ path: [...path, 'cidr'], message: cidrText === undefined ? 'missing required field "cidr"' : `expected a CIDR such as 10.0.0.0/16, got ${describeValue(cidrText)}` });
    return undefined;
  }
  const cidr = parseIpRange(cidrText);
  if (!cidr.range) {
    problems.push({ path: [...path, 'cidr'], message: cidr.problem! });
    return undefined;
  }
  if (cidr.hostBits) problems.push({ path: [...path, 'cidr'], message: `${cidrText} has host bits set; it means ${formatRange(cidr.range)}`, warning: true });
  const except: IpRange[] = [];
  const rawExcept = raw['except'];
  if (Array.isArray(rawExcept)) {
    rawExcept.forEach((e, i) => {
      const at: FieldPath = [...path, 'except', i];
      if (typeof e !== 'string') {
        problems.push({ path: at, message: `expected a CIDR, got ${describeValue(e)}` });
        return;
      }
      const parsed = parseIpRange(e);
      if (!parsed.range) problems.push({ path: at, message: parsed.problem! });
      else if (!strictSubset(parsed.range, cidr.range!)) problems.push({ path: at, message: `${e} must be a strict subset of cidr ${cidrText}` });
      else except.push(parsed.range);
    });
  } else if (rawExcept !== undefined && rawExcept !== null) {
    problems.push({ path: [...path, 'except'], message: `expected a list of CIDRs, got ${describeValue(rawExcept)}` });
  }
  return { kind: 'ipBlock', cidr: cidr.range, except };
}

function parsePorts(raw: unknown, path: FieldPath, problems: Problem[]): PolicyPort[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    problems.push({ path, message: `expected a list of ports ({protocol, port, endPort}), got ${describeValue(raw)}` });
    return undefined;
  }
  const ports: PolicyPort[] = [];
  raw.forEach((p, i) => {
    const at: FieldPath = [...path, i];
    if (!isRecord(p)) {
      problems.push({ path: at, message: `expected {protocol, port, endPort}, got ${describeValue(p)}` });
      return;
    }
    const before = problems.length;
    problems.push(...unknownFields(p, ['protocol', 'port', 'endPort'], at));
    const protocolRaw = p['protocol'] ?? 'TCP';
    if (typeof protocolRaw !== 'string' || !(TRANSPORT_PROTOCOLS as readonly string[]).includes(protocolRaw)) {
      const upper = typeof protocolRaw === 'string' && (TRANSPORT_PROTOCOLS as readonly string[]).includes(protocolRaw.toUpperCase()) ? ` (did you mean "${protocolRaw.toUpperCase()}"?)` : '';
      problems.push({ path: [...at, 'protocol'], message: `unknown protocol ${describeValue(protocolRaw)}${upper}; valid values: ${TRANSPORT_PROTOCOLS.join(', ')}` });
    }
    const port = p['port'] ?? undefined;
    const endPort = p['endPort'] ?? undefined;
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push({ path: [...at, 'port'], message: `port ${port} is out of range: 1 to 65535` });
    } else if (typeof port === 'string') {
      const problem = portNameProblem(port);
      if (problem) problems.push({ path: [...at, 'port'], message: problem });
    } else if (port !== undefined) problems.push({ path: [...at, 'port'], message: `expected a port number or a port name, got ${describeValue(port)}` });
    if (endPort !== undefined) {
      if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < 1 || endPort > 65535) {
        problems.push({ path: [...at, 'endPort'], message: `endPort ${describeValue(endPort)} must be a port number, 1 to 65535` });
      } else if (port === undefined) problems.push({ path: [...at, 'endPort'], message: 'endPort needs a numeric "port" (the start of the range)' });
      else if (typeof port === 'string') problems.push({ path: [...at, 'endPort'], message: `endPort cannot be used with a named port ("${port}")` });
      else if (typeof port === 'number' && endPort < port) problems.push({ path: [...at, 'endPort'], message: `endPort ${endPort} is below port ${port}` });
    }
    if (problems.slice(before).some((x) => !x.warning)) return;
    ports.push({
      protocol: protocolRaw as TransportProtocol,
      ...(port !== undefined ? { port: port as number | string } : {}),
      ...(typeof endPort === 'number' ? { endPort } : {}),
    });
  });
  return ports;
}
