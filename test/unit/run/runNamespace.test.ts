import { expect } from 'chai';
import { placeInRunNamespace } from '../../../harness/run/suiteManifests.js';
import { expandTests } from '../../../harness/run/expandTests.js';
import { suite } from '../../support/planFixtures.js';

describe('run namespace and test expansion', () => {
  it('puts namespaced objects that name no namespace in the run namespace, created first', () => {
    const placed = placeInRunNamespace(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fixed', namespace: 'demo' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
      ],
      'kconn-ab12cd',
    );
    expect(placed.map((o) => [o.kind, o.metadata?.namespace])).to.deep.equal([
      ['Namespace', undefined],
      ['Deployment', 'kconn-ab12cd'],
      ['Service', 'demo'],
      ['ClusterRole', undefined],
    ]);
    expect(placed[0]!.metadata).to.deep.equal({ name: 'kconn-ab12cd', labels: { 'kconn.dev/run': 'ab12cd' } });
  });

  it('leaves manifests that fix their namespaces as they are', () => {
    const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }];
    expect(placeInRunNamespace(objects, 'kconn-x')).to.deep.equal(objects);
  });

  it('a test that names no cluster runs once from each cluster, named after it', () => {
    const s = suite('s');
    expect(expandTests(s, ['east', 'west']).map((t) => [t.name, t.fromCluster, t.toCluster])).to.deep.equal([
      ['client reaches echo [east]', 'east', 'east'],
      ['client reaches echo [west]', 'west', 'west'],
    ]);
    expect(expandTests(s, ['main']).map((t) => t.name)).to.deep.equal(['client reaches echo']);
  });
});
