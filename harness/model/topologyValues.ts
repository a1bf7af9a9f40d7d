/**
 * Values of the planned topology that a suite's manifest may use, written `${clusters.<name>.<field>}` anywhere in
 * its text (a NetworkPolicy's ipBlock naming another cluster's pod range, say), replaced before the manifest is parsed.
 */
export const TOPOLOGY_VALUE_FIELDS = ['podSubnet', 'serviceSubnet'] as const;
export type TopologyValueField = (typeof TOPOLOGY_VALUE_FIELDS)[number];

export type ClusterValues = Readonly<Record<TopologyValueField, string>>;

/** Anything shaped like a reference, so that a misspelt one is reported rather than applied as text. */
const REFERENCE = /\$\{clusters\.([^.}\s]*)\.([^}\s]*)\}/g;

export interface TopologyValueRef {
  readonly text: string;
  readonly cluster: string;
  readonly field: string;
  /** 1-based line of the reference in the text. */
  readonly line: number;
}

/** Every `${clusters.<name>.<field>}` in a text, with its line. */
export function topologyValueRefs(text: string): TopologyValueRef[] {
  return [...text.matchAll(REFERENCE)].map((m) => ({
    text: m[0],
    cluster: m[1]!,
    field: m[2]!,
    line: text.slice(0, m.index).split('\n').length,
  }));
}

/** Why a reference cannot be filled from these clusters, or undefined when it can. */
export function topologyValueProblem(ref: TopologyValueRef, clusters: ReadonlyMap<string, ClusterValues>): string | undefined {
  if (!(TOPOLOGY_VALUE_FIELDS as readonly string[]).includes(ref.field)) {
    return `${ref.text}: unknown field "${ref.field}" (a cluster's ${TOPOLOGY_VALUE_FIELDS.join(' or ')})`;
  }
  if (!clusters.has(ref.cluster)) return `${ref.text}: no cluster "${ref.cluster}" in the topology (its clusters: ${[...clusters.keys()].join(', ')})`;
  return undefined;
}

/** The text with every reference filled; throws naming the file and line of the first one that cannot be. */
export function fillTopologyValues(text: string, clusters: ReadonlyMap<string, ClusterValues>, file: string): string {
  for (const ref of topologyValueRefs(text)) {
    const problem = topologyValueProblem(ref, clusters);
    if (problem) throw new Error(`${file}:${ref.line}: ${problem}`);
  }
  return text.replace(REFERENCE, (_, cluster: string, field: TopologyValueField) => clusters.get(cluster)![field]);
}
