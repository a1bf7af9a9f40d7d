import type { TruthTableNamespace } from '../../model/suite.js';
import type { Grid } from './grid.js';
import { NAMESPACE_NAME_LABEL } from './labels.js';
import { isRecord } from './problem.js';

/**
 * A run creates each declared namespace of a truth table as `<run-namespace>-<declared>` (the run namespace is
 * `kconn-<run-id>`, run ids have at most 6 characters), so grids never collide with a user's namespaces or another
 * run's. The API server labels every namespace `kubernetes.io/metadata.name: <real name>`, so policies that select
 * namespaces by that label are rewritten to the real names before they are applied. Pure.
 */
export const MAX_RUN_NAMESPACE_LENGTH = 'kconn-'.length + 6;
/** A namespace name has at most 63 characters; the run namespace and a '-' come first. */
export const MAX_DECLARED_NAMESPACE_LENGTH = 63 - MAX_RUN_NAMESPACE_LENGTH - 1;

export function runNamespaceName(runNamespace: string, declared: string): string {
  return `${runNamespace}-${declared}`;
}

/** Declared name -> real name, for every namespace of a grid. */
export function namespaceMapping(runNamespace: string, namespaces: readonly Pick<TruthTableNamespace, 'name'>[]): ReadonlyMap<string, string> {
  return new Map(namespaces.map((ns) => [ns.name, runNamespaceName(runNamespace, ns.name)]));
}

const rename = (mapping: ReadonlyMap<string, string>, name: unknown): unknown => (typeof name === 'string' ? (mapping.get(name) ?? name) : name);

function rewriteSelector(selector: unknown, mapping: ReadonlyMap<string, string>): unknown {
  if (!isRecord(selector)) return selector;
  const out: Record<string, unknown> = { ...selector };
  const labels = selector['matchLabels'];
  if (isRecord(labels) && Object.hasOwn(labels, NAMESPACE_NAME_LABEL)) {
    out['matchLabels'] = { ...labels, [NAMESPACE_NAME_LABEL]: rename(mapping, labels[NAMESPACE_NAME_LABEL]) };
  }
  const expressions = selector['matchExpressions'];
  if (Array.isArray(expressions)) {
    out['matchExpressions'] = expressions.map((e) =>
      isRecord(e) && e['key'] === NAMESPACE_NAME_LABEL && Array.isArray(e['values']) ? { ...e, values: e['values'].map((v) => rename(mapping, v)) } : e,
    );
  }
  return out;
}

function rewriteRules(rules: unknown, peerField: 'from' | 'to', mapping: ReadonlyMap<string, string>): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((rule) => {
    if (!isRecord(rule) || !Array.isArray(rule[peerField])) return rule;
    const peers = (rule[peerField] as unknown[]).map((peer) =>
      isRecord(peer) && peer['namespaceSelector'] !== undefined ? { ...peer, namespaceSelector: rewriteSelector(peer['namespaceSelector'], mapping) } : peer,
    );
    return { ...rule, [peerField]: peers };
  });
}

/**
 * A copy of a NetworkPolicy object for a run: metadata.namespace and every `kubernetes.io/metadata.name` value of its
 * namespaceSelectors (matchLabels, and In/NotIn values of matchExpressions) renamed by `mapping`. Names the mapping
 * does not hold (kube-system, say) are real namespaces and stay as they are. Nothing else changes.
 */
export function rewritePolicyNamespaces(object: Readonly<Record<string, unknown>>, mapping: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(object) as Record<string, unknown>;
  if (isRecord(out['metadata'])) {
    const metadata = out['metadata'];
    if (metadata['namespace'] !== undefined) metadata['namespace'] = rename(mapping, metadata['namespace']);
  }
  const spec = out['spec'];
  if (isRecord(spec)) {
    if (spec['ingress'] !== undefined) spec['ingress'] = rewriteRules(spec['ingress'], 'from', mapping);
    if (spec['egress'] !== undefined) spec['egress'] = rewriteRules(spec['egress'], 'to', mapping);
  }
  return out;
}

/** The grid as a run creates it: namespaces renamed (their declared labels unchanged; the name label follows the name). */
export function renameGrid(grid: Grid, mapping: ReadonlyMap<string, string>): Grid {
  return { ...grid, namespaces: grid.namespaces.map((ns) => ({ ...ns, name: mapping.get(ns.name) ?? ns.name })) };
}
