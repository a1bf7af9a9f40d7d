import * as jsYaml from 'js-yaml';
import type { TransportProtocol, TruthTableNamespace, TruthTablePort } from '../../../../harness/model/suite.js';
import type { TruthTableResult } from '../../../../harness/plan/netpol/evaluate.js';
import type { Grid } from '../../../../harness/plan/netpol/grid.js';
import { parseNetworkPolicy, type NetworkPolicy } from '../../../../harness/plan/netpol/policy.js';

/**
 * Test helpers for truth tables, in the upstream e2e style: pods `x/a` live in namespace x labelled ns=x and carry
 * pod=a; a reachability matrix starts all allowed and is edited by (from, to) patterns.
 */
export function grid(pods: string, ports: readonly (number | `${number}/${TransportProtocol}`)[] = [80], ips: Record<string, string> = {}): Grid {
  const namespaces = new Map<string, TruthTableNamespace>();
  for (const id of pods.split(/\s+/).filter(Boolean)) {
    const [ns, pod] = id.split('/') as [string, string];
    const entry = namespaces.get(ns) ?? { name: ns, labels: { ns }, pods: [] };
    namespaces.set(ns, { ...entry, pods: [...entry.pods, { name: pod, labels: { pod }, ...(ips[id] ? { ip: ips[id] } : {}) }] });
  }
  const parsedPorts: TruthTablePort[] = ports.map((p) => {
    if (typeof p === 'number') return { port: p, protocol: 'TCP' };
    const [port, protocol] = p.split('/') as [string, TransportProtocol];
    return { port: Number(port), protocol };
  });
  return { namespaces: [...namespaces.values()], ports: parsedPorts };
}

/** NetworkPolicy objects from YAML (several documents); each must be valid. */
export function policies(yaml: string): NetworkPolicy[] {
  return objects(yaml).map((o) => {
    const { policy, problems } = parseNetworkPolicy(o);
    if (!policy) throw new Error(`invalid test policy: ${problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
    return policy;
  });
}

export function objects(yaml: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  jsYaml.loadAll(yaml, (d) => {
    if (d !== null && d !== undefined) out.push(d as Record<string, unknown>);
  });
  return out;
}

const matches = (pattern: string, id: string): boolean => {
  if (pattern === '*') return true;
  const [ns, pod] = pattern.split('/');
  const [idNs, idPod] = id.split('/');
  return (ns === '*' || ns === idNs) && (pod === '*' || pod === idPod);
};

// [from pattern, to pattern, allowed]: a pattern is '*', 'x/*', '*/a' (pod a of any namespace) or 'x/a'; later entries win.
export type Override = readonly [string, string, boolean];

/** The expected grid as text rows `x/a: . X .` (loopback always allowed), for readable diffs. */
export function expectedRows(pods: readonly string[], overrides: readonly Override[]): string[] {
  return pods.map((from) => {
    const marks = pods.map((to) => {
      let allowed = true;
      for (const [f, t, v] of overrides) if (matches(f, from) && matches(t, to)) allowed = v;
      return from === to || allowed ? '.' : 'X';
    });
    return `${from}: ${marks.join(' ')}`;
  });
}

export function actualRows(result: TruthTableResult, port: number, protocol: TransportProtocol = 'TCP'): string[] {
  const cells = result.cells.filter((c) => c.port === port && c.protocol === protocol);
  if (cells.length === 0) throw new Error(`no cells for ${port}/${protocol}`);
  return result.pods.map((from) => `${from}: ${result.pods.map((to) => (cells.find((c) => c.from === from && c.to === to)!.allowed ? '.' : 'X')).join(' ')}`);
}

/** The grid of every pod's own verdict from the rules alone (loopback not forced), same text form. */
export function ruleRows(result: TruthTableResult, port: number, protocol: TransportProtocol = 'TCP'): string[] {
  const cells = result.cells.filter((c) => c.port === port && c.protocol === protocol);
  return result.pods.map((from) => `${from}: ${result.pods.map((to) => {
    const c = cells.find((x) => x.from === from && x.to === to)!;
    return c.egress.allowed && c.ingress.allowed ? '.' : 'X';
  }).join(' ')}`);
}
