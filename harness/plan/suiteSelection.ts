import type { Capability } from '../model/capability.js';
import type { SuitePlan } from '../model/plan.js';
import { clustersNamedBy, truthTableCells, type Suite } from '../model/suite.js';

export interface ClusterCapabilities {
  readonly name: string;
  readonly cni: string;
  readonly capabilities: readonly Capability[];
}

/**
 * Decides for each suite whether it runs on this topology, and why not. Tests that name no cluster run once from
 * every cluster, so they count once per cluster; so does each cell of a truth table (every ordered pair of its pods,
 * self included, on every port), which runs in every cluster.
 */
export function selectSuites(suites: readonly Suite[], clusters: readonly ClusterCapabilities[], topology: string): SuitePlan[] {
  return suites.map((suite) => {
    const named = new Set(suite.tests.flatMap(clustersNamedBy));
    for (const m of suite.manifests) for (const c of m.clusters ?? []) named.add(c);
    for (const o of suite.objects ?? []) if (o.cluster !== undefined) named.add(o.cluster);
    const cells = suite.truthTable ? truthTableCells(suite.truthTable) * clusters.length : 0;
    const objects = (suite.objects ?? []).reduce((n, o) => n + (o.cluster !== undefined ? 1 : clusters.length), 0);
    const tests = suite.tests.reduce((n, t) => n + (t.from.cluster ? 1 : clusters.length), 0) + cells + objects;
    const base = { name: suite.name, file: suite.source.file, tests };
    const missing = [...named].filter((n) => !clusters.some((c) => c.name === n)).sort();
    if (missing.length) {
      return { ...base, status: 'skip' as const, reason: `needs cluster${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, not in topology ${topology}` };
    }
    const touched = named.size ? clusters.filter((c) => named.has(c.name)) : clusters;
    const unmet: string[] = [];
    for (const req of suite.requires) {
      for (const c of touched) {
        if (!c.capabilities.includes(req)) unmet.push(`${req} (${c.cni} on cluster ${c.name} lacks it)`);
      }
    }
    if (unmet.length) return { ...base, status: 'skip' as const, reason: `requires ${unmet.join(', ')}`, skipKind: 'unsupported' as const };
    return { ...base, status: 'run' as const };
  });
}
