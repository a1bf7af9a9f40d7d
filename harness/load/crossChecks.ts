import type { Suite } from '../model/suite.js';
import { clustersNamedBy } from '../model/suite.js';
import type { Topology } from '../model/topology.js';
import type { Diagnostic } from './diagnostic.js';
import type { YamlDocument } from './yamlFile.js';

/**
 * When suites are validated together with topologies: every cluster a suite names must exist in at least one of
 * them (a suite may be written for one topology among several).
 */
export function checkSuiteClusters(
  suite: Suite,
  doc: YamlDocument,
  topologies: readonly Topology[],
): Diagnostic[] {
  if (topologies.length === 0) return [];
  const known = (cluster: string): boolean => topologies.some((t) => t.clusters.some((c) => c.name === cluster));
  const describe = (cluster: string): string =>
    topologies.length === 1
      ? `cluster "${cluster}" is not in topology "${topologies[0]!.name}" (${topologies[0]!.source.file}); its clusters: ${topologies[0]!.clusters.map((c) => c.name).join(', ')}`
      : `cluster "${cluster}" is in none of the topologies ${topologies.map((t) => `"${t.name}"`).join(', ')}`;
  const out: Diagnostic[] = [];
  suite.tests.forEach((test) => {
    const base = test.source.path;
    for (const cluster of clustersNamedBy(test)) {
      if (known(cluster)) continue;
      const field = test.from.cluster === cluster ? ['from', 'cluster'] : ['to', 'cluster'];
      out.push(doc.diagnostic([...base, ...field], describe(cluster)));
    }
  });
  for (const o of suite.objects ?? []) {
    if (o.cluster !== undefined && !known(o.cluster)) out.push(doc.diagnostic([...o.source.path, 'cluster'], describe(o.cluster)));
  }
  suite.manifests.forEach((m) => {
    (m.clusters ?? []).forEach((cluster, i) => {
      if (!known(cluster)) out.push(doc.diagnostic([...m.source.path, 'clusters', i], describe(cluster)));
    });
  });
  return out;
}
