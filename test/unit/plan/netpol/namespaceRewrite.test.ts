import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadProject } from '../../../../harness/load/loadProject.js';
import type { Suite, TruthTable } from '../../../../harness/model/suite.js';
import { evaluate, type TruthTableResult } from '../../../../harness/plan/netpol/evaluate.js';
import type { Grid } from '../../../../harness/plan/netpol/grid.js';
import {
  MAX_DECLARED_NAMESPACE_LENGTH,
  namespaceMapping,
  renameGrid,
  rewritePolicyNamespaces,
  runNamespaceName,
} from '../../../../harness/plan/netpol/namespaceRewrite.js';
import { parseNetworkPolicy, type NetworkPolicy } from '../../../../harness/plan/netpol/policy.js';
import { REPO_ROOT } from '../../../support/paths.js';
import { grid, objects } from './netpolFixtures.js';

const MAPPING = namespaceMapping('kconn-ab12cd', [{ name: 'x' }, { name: 'y' }, { name: 'z' }]);

describe('netpol namespace rewrite for a run', () => {
  it('names each declared namespace <run-namespace>-<declared>, within 63 characters for the longest run id', () => {
    expect(runNamespaceName('kconn-ab12cd', 'x')).to.equal('kconn-ab12cd-x');
    expect([...MAPPING]).to.deep.equal([
      ['x', 'kconn-ab12cd-x'],
      ['y', 'kconn-ab12cd-y'],
      ['z', 'kconn-ab12cd-z'],
    ]);
    expect(runNamespaceName('kconn-abcdef', 'n'.repeat(MAX_DECLARED_NAMESPACE_LENGTH))).to.have.length(63);
  });

  it('rewrites metadata.namespace and kubernetes.io/metadata.name in matchLabels and In/NotIn values; nothing else', () => {
    const [policy] = objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x, labels: {ns: y}}
spec:
  podSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y, ns: y}}
        - namespaceSelector:
            matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [x, kube-system]}
              - {key: ns, operator: In, values: [y]}
          podSelector: {matchLabels: {kubernetes.io/metadata.name: z}}
        - podSelector: {matchLabels: {pod: a}}
        - ipBlock: {cidr: 10.0.0.0/8}
      ports: [{port: 80}]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    - to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [z]}]}}]
`);
    const before = structuredClone(policy);
    const out = rewritePolicyNamespaces(policy!, MAPPING);
    expect(policy, 'the input is not changed').to.deep.equal(before);
    expect(out).to.deep.equal(
      objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: kconn-ab12cd-x, labels: {ns: y}}
spec:
  podSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kconn-ab12cd-y, ns: y}}
        - namespaceSelector:
            matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kconn-ab12cd-x, kube-system]}
              - {key: ns, operator: In, values: [y]}
          podSelector: {matchLabels: {kubernetes.io/metadata.name: z}}
        - podSelector: {matchLabels: {pod: a}}
        - ipBlock: {cidr: 10.0.0.0/8}
      ports: [{port: 80}]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    - to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [kconn-ab12cd-z]}]}}]
`)[0],
    );
  });

  it('leaves a policy without a namespace or without rules as it is', () => {
    const bare = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } };
    expect(rewritePolicyNamespaces(bare, MAPPING)).to.deep.equal(bare);
    const other = { ...bare, metadata: { name: 'p', namespace: 'w' } };
    expect(rewritePolicyNamespaces(other, MAPPING)).to.deep.equal(other);
  });
});

/** The cells with the real names mapped back to the declared ones, so two tables can be compared. */
function declaredNames(result: TruthTableResult, mapping: ReadonlyMap<string, string>): TruthTableResult {
  const back = new Map([...mapping].map(([declared, real]) => [real, declared]));
  const pod = (id: string): string => {
    const [ns, name] = id.split('/') as [string, string];
    return `${back.get(ns) ?? ns}/${name}`;
  };
  const policy = (id: string): string => pod(id);
  const side = <T extends { policies: readonly string[]; allowedBy: readonly { policy: string; rule: number }[] }>(v: T): T => ({
    ...v,
    policies: v.policies.map(policy),
    allowedBy: v.allowedBy.map((r) => ({ ...r, policy: policy(r.policy) })),
  });
  return {
    ...result,
    pods: result.pods.map(pod),
    cells: result.cells.map((c) => ({ ...c, from: pod(c.from), to: pod(c.to), egress: side(c.egress), ingress: side(c.ingress) })),
  };
}

function parsed(objects_: readonly Record<string, unknown>[]): NetworkPolicy[] {
  return objects_.map((o) => parseNetworkPolicy(o).policy!);
}

function sameBeforeAndAfter(g: Grid, policyObjects: readonly Record<string, unknown>[], runNamespace: string): void {
  const mapping = namespaceMapping(runNamespace, g.namespaces);
  const before = evaluate(g, parsed(policyObjects));
  const after = evaluate(renameGrid(g, mapping), parsed(policyObjects.map((o) => rewritePolicyNamespaces(o, mapping))));
  expect(after.pods.every((p) => p.startsWith(`${runNamespace}-`)), 'the run grid has the real names').to.equal(true);
  expect(declaredNames(after, mapping)).to.deep.equal(before);
}

describe('netpol namespace rewrite: the evaluator gives the same table before and after', () => {
  it('for policies that select namespaces by name (matchLabels, In, NotIn), their own namespace and kube-system', () => {
    sameBeforeAndAfter(
      grid('x/a x/b y/a y/b z/a', [80, 81]),
      objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-x, namespace: y}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}}]}]
  egress:
    - to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [z, kube-system]}]}}]
      ports: [{port: 81}]
`),
      'kconn-ab12cd',
    );
  });

  it('a test that can fail: without the rewrite, the same policies mean something else', () => {
    const g = grid('x/a y/a');
    const policyObjects = objects(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-from-y, namespace: x}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
`);
    const mapping = namespaceMapping('kconn-r1', g.namespaces);
    const withNamespaceOnly = policyObjects.map((o) => ({ ...o, metadata: { ...(o['metadata'] as object), namespace: 'kconn-r1-x' } }));
    const unrewritten = evaluate(renameGrid(g, mapping), parsed(withNamespaceOnly));
    expect(unrewritten.cells.find((c) => c.from === 'kconn-r1-y/a' && c.to === 'kconn-r1-x/a')!.allowed).to.equal(false);
    const rewritten = evaluate(renameGrid(g, mapping), parsed(policyObjects.map((o) => rewritePolicyNamespaces(o, mapping))));
    expect(rewritten.cells.find((c) => c.from === 'kconn-r1-y/a' && c.to === 'kconn-r1-x/a')!.allowed).to.equal(true);
  });

  it('for every shipped truth-table suite', async () => {
    const files = readdirSync(join(REPO_ROOT, 'suites')).filter((f) => f.startsWith('netpol-'));
    const project = await loadProject(files.map((f) => join('suites', f)), { cwd: REPO_ROOT });
    expect(project.diagnostics.filter((d) => d.severity !== 'warning')).to.deep.equal([]);
    const tables = project.suites.filter((s): s is Suite & { truthTable: TruthTable } => s.truthTable !== undefined);
    expect(tables.length).to.equal(files.length);
    for (const s of tables) sameBeforeAndAfter(s.truthTable, s.truthTable.policies.map((p) => p.object), 'kconn-zz9zz9');
  });
});
