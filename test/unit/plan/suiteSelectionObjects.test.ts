import { expect } from 'chai';
import type { Suite } from '../../../harness/model/suite.js';
import { selectSuites } from '../../../harness/plan/suiteSelection.js';

const source = { file: 's.yaml', doc: 0, path: [] };
const check = (name: string, cluster?: string) => ({
  name, ...(cluster ? { cluster } : {}), object: { apiVersion: 'v1', kind: 'Namespace', name: 'x' }, expect: 'exists' as const, timeoutMs: 1000, source,
});
const suite = (over: Partial<Suite>): Suite => ({ name: 's', requires: [], manifests: [], tests: [], source, ...over });
const clusters = [
  { name: 'east', cni: 'flannel', capabilities: [] },
  { name: 'west', cni: 'calico', capabilities: ['networkPolicy' as const] },
  { name: 'north', cni: 'flannel', capabilities: [] },
];

describe('suite selection: object checks and reasons per CNI', () => {
  it('an object check on one cluster counts once, one on every cluster counts per cluster; a cluster it names must exist', () => {
    const [counted] = selectSuites([suite({ objects: [check('one', 'west'), check('each')] })], clusters, 't');
    expect(counted).to.deep.include({ status: 'run', tests: 1 + 3 });
    const [missing] = selectSuites([suite({ objects: [check('one', 'south')] })], clusters, 't');
    expect(missing).to.deep.include({ status: 'skip', reason: 'needs cluster south, not in topology t' });
    const [touched] = selectSuites([suite({ requires: ['networkPolicy'], objects: [check('one', 'west')] })], clusters, 't');
    expect(touched, 'requires is checked on the cluster the check names only').to.deep.include({ status: 'run' });
  });

  it('each CNI lacking a capability is named with its own clusters', () => {
    const [s] = selectSuites([suite({ requires: ['networkPolicy', 'multiNode'] })], [...clusters, { name: 'south', cni: 'kindnet', capabilities: [] }], 't');
    expect(s!.reason).to.equal(
      'flannel does not enforce NetworkPolicy (clusters east, north); kindnet does not enforce NetworkPolicy (cluster south); ' +
        'clusters east, west, north, south: one node that takes pods (multiNode)',
    );
  });
});
