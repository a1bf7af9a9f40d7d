import { expect } from 'chai';
import type { SuiteTest } from '../../../harness/model/suite.js';
import { selectSuites } from '../../../harness/plan/suiteSelection.js';
import { suite } from '../../support/planFixtures.js';

// Wrong selections the mutation run found unpinned: on a multi-cluster topology, a suite naming one cluster must run.
const clusters = () => [
  { name: 'east', cni: 'calico', capabilities: ['networkPolicy' as const] },
  { name: 'west', cni: 'flannel', capabilities: [] },
];
const from = (cluster?: string): SuiteTest => {
  const [test] = suite('s').tests;
  return { ...test!, from: { namespace: 'demo', selector: 'app=client', ...(cluster ? { cluster } : {}) } };
};

describe('suite selection on several clusters', () => {
  it('a suite naming one cluster of the topology runs, once from that cluster', () => {
    expect(selectSuites([suite('one', { tests: [from('east')] })], clusters(), 'two')).to.deep.equal([
      { name: 'one', file: 'suites/one.yaml', tests: 1, status: 'run' },
    ]);
  });

  it('a test naming no cluster runs from every cluster', () => {
    expect(selectSuites([suite('all', { tests: [from(), from('west')] })], clusters(), 'two')[0]).to.deep.include({ tests: 3, status: 'run' });
  });

  it('a cluster named by a test or a manifest and missing from the topology skips the suite, naming every one', () => {
    const [plan] = selectSuites([suite('far', { tests: [from('north')], manifests: [{ path: '/m/x.yaml', declaredPath: 'x.yaml', clusters: ['south', 'east'], source: { file: 'suites/far.yaml', doc: 0, path: ['spec', 'manifests', 0] } }] })], clusters(), 'two');
    expect(plan).to.deep.equal({ name: 'far', file: 'suites/far.yaml', tests: 1, status: 'skip', reason: 'needs clusters north, south, not in topology two' });
    const [one] = selectSuites([suite('far', { tests: [from('north')] })], clusters(), 'two');
    expect(one!.reason).to.equal('needs cluster north, not in topology two');
  });

  it('requires is checked on the clusters the suite touches only', () => {
    expect(selectSuites([suite('p', { tests: [from('east')], requires: ['networkPolicy'] })], clusters(), 'two')[0]!.status).to.equal('run');
    expect(selectSuites([suite('p', { tests: [from()], requires: ['networkPolicy'] })], clusters(), 'two')[0]).to.deep.include({
      status: 'skip',
      reason: 'flannel does not enforce NetworkPolicy (cluster west)',
      skipKind: 'unsupported',
    });
  });
});
