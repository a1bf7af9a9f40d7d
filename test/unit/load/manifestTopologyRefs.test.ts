import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { formatDiagnostic } from '../../../harness/load/diagnostic.js';
import { loadProject } from '../../../harness/load/loadProject.js';

describe('validate: topology values named in suite manifests', () => {
  it('a cluster no topology has is a warning at the value (the manifest may be for another topology)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-refs-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'topo.yaml'), 'apiVersion: kconn.dev/v1alpha1\nkind: Topology\nmetadata: {name: ew}\nspec:\n  clusters: [{name: east}, {name: west}]\n');
    writeFileSync(
      join(dir, 'suite.yaml'),
      'apiVersion: kconn.dev/v1alpha1\nkind: Suite\nmetadata: {name: s}\nspec:\n  manifests: [{path: manifests/p.yaml}]\n  tests:\n    - {name: t, from: {selector: app=c}, dns: {name: x}, expect: resolves}\n',
    );
    writeFileSync(
      join(dir, 'manifests', 'p.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: demo}\ndata:\n  east: "${clusters.east.podSubnet}"\n  north: "${clusters.north.serviceSubnet}"\n',
    );
    const project = await loadProject([dir]);
    expect(project.diagnostics.map(formatDiagnostic).map((l) => l.replace(/^.*kconn-refs-[^/]+/, '<dir>'))).to.deep.equal([
      '<dir>/manifests/p.yaml:6:10: warning: data.north: ${clusters.north.serviceSubnet}: no cluster "north" in topology "ew"',
    ]);
    expect(project.suites).to.have.length(1);
  });
});
