import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as jsYaml from 'js-yaml';
import { formatDiagnostic, isError } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: grid}
spec:
  requires: [networkPolicy]
  truthTable:
    namespaces:
      x: {labels: {ns: x}, pods: {a: {pod: a}, b: {}}, ips: {a: 10.0.0.1}}
      y: {pods: {a: {pod: a}}}
    ports: [{port: 80}, {port: 53, protocol: UDP}]
    policies: [../policies/deny.yaml]
`;
const DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: y}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}]}]
`;

describe('loader: truth tables', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kconn-truth-'));
    mkdirSync(join(dir, 'suites'));
    mkdirSync(join(dir, 'policies'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = async (suite: string, policies: Record<string, string>) => {
    writeFileSync(join(dir, 'suites', 'grid.yaml'), suite);
    for (const [name, text] of Object.entries(policies)) writeFileSync(join(dir, 'policies', name), text);
    return loadProject([join(dir, 'suites')], { cwd: dir });
  };

  it('builds the model: namespaces with labels, pods with labels and IPs, ports (TCP by default), policies with their files', async () => {
    const project = await load(SUITE, { 'deny.yaml': DENY });
    expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal([]);
    const [suite] = project.suites;
    expect(suite!.tests).to.deep.equal([]);
    const table = suite!.truthTable!;
    expect(table.namespaces).to.deep.equal([
      { name: 'x', labels: { ns: 'x' }, pods: [{ name: 'a', labels: { pod: 'a' }, ip: '10.0.0.1' }, { name: 'b', labels: {} }] },
      { name: 'y', labels: {}, pods: [{ name: 'a', labels: { pod: 'a' } }] },
    ]);
    expect(table.ports).to.deep.equal([
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
    expect(table.policies.map((p) => [p.namespace, p.name, p.declaredPath, p.path, p.source.file, p.source.doc])).to.deep.equal([
      ['x', 'deny', '../policies/deny.yaml', join(dir, 'policies', 'deny.yaml'), 'policies/deny.yaml', 0],
      ['y', 'dns', '../policies/deny.yaml', join(dir, 'policies', 'deny.yaml'), 'policies/deny.yaml', 1],
    ]);
    expect(table.policies[0]!.object).to.deep.equal(jsYaml.loadAll(DENY)[0]);
    expect(table.source).to.deep.equal({ file: 'suites/grid.yaml', doc: 0, path: ['spec', 'truthTable'] });
  });

  it('a problem only in a policy file: located there, and the suite yields no model', async () => {
    const project = await load(SUITE, { 'deny.yaml': DENY.replace('{port: 53, protocol: UDP}', '{port: 53, protocol: UDP, endPort: 52}') });
    expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal(['policies/deny.yaml:12:56: spec.egress[0].ports[0].endPort: endPort 52 is below port 53']);
    expect(project.suites).to.deep.equal([]);
  });

  it('a warning in a policy file keeps the model', async () => {
    const project = await load(SUITE, { 'deny.yaml': DENY.replace('{port: 53, protocol: UDP}', '{port: serve-53-udp}') });
    expect(project.diagnostics.filter(isError)).to.deep.equal([]);
    expect(project.diagnostics.map(formatDiagnostic)).to.deep.equal([
      "policies/deny.yaml:12:28: warning: spec.egress[0].ports[0].port: named port serve-53-udp is a UDP port but this entry's protocol is TCP (the default): it matches nothing; add protocol: UDP",
    ]);
    expect(project.suites.map((s) => s.name)).to.deep.equal(['grid']);
  });

  it('a policy file that is not UTF-8, or a YAML syntax error in it, is located in that file', async () => {
    writeFileSync(join(dir, 'policies', 'bin.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]));
    const binary = await load(SUITE.replace('deny.yaml', 'bin.yaml'), {});
    expect(binary.diagnostics.map(formatDiagnostic)).to.include('policies/bin.yaml:1:4: the file is not UTF-8 (invalid byte 0xff at byte 3); save it as UTF-8');
    const broken = await load(SUITE, { 'deny.yaml': 'apiVersion: [\n' });
    expect(broken.diagnostics.map((d) => `${d.file}:${d.line}`)).to.include('policies/deny.yaml:2');
    expect(broken.suites).to.deep.equal([]);
  });

  it('tests and a truth table in one suite: both are kept', async () => {
    const both = SUITE.replace(
      '  truthTable:',
      '  tests:\n    - {name: t, from: {namespace: demo, selector: app=client}, to: {host: example.test, port: 80}, expect: reachable}\n  truthTable:',
    );
    const project = await load(both, { 'deny.yaml': DENY });
    expect(project.diagnostics).to.deep.equal([]);
    expect(project.suites[0]!.tests.map((t) => t.name)).to.deep.equal(['t']);
    expect(project.suites[0]!.truthTable!.policies).to.have.length(2);
  });
});
