import { expect } from 'chai';
import { planFingerprint } from '../../../harness/session/planFingerprint.js';
import { planRun } from '../../../harness/plan/planRun.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

describe('--reuse fingerprint', () => {
  const plan = (runId: string, cni = 'calico', stateDir = `/state/kconn/runs/${runId}`) =>
    planRun(topology([cluster('east'), cluster('west')], { cni: { name: cni, options: {} } }), [suite('s')], { ...PLAN_OPTIONS, runId, stateDir });

  it('is the same for the same clusters under another run id', () => {
    expect(planFingerprint(plan('aaaaaa'))).to.equal(planFingerprint(plan('bbbbbb')));
  });

  it('differs when the clusters would be built differently', () => {
    expect(planFingerprint(plan('aaaaaa', 'calico'))).to.not.equal(planFingerprint(plan('aaaaaa', 'cilium')));
    const wider = planRun(topology([cluster('east', { workers: 2 }), cluster('west')], { cni: { name: 'calico', options: {} } }), [suite('s')], { ...PLAN_OPTIONS, runId: 'aaaaaa', stateDir: '/state/kconn/runs/aaaaaa' });
    expect(planFingerprint(wider)).to.not.equal(planFingerprint(plan('aaaaaa')));
  });

  it('differs when the clusters are joined, or joined another way; a join is reusable under another run id', () => {
    const joined = (runId: string, options: Record<string, unknown> = {}) =>
      planRun(topology([cluster('east'), cluster('west')], { cni: { name: 'calico', options: {} }, multicluster: { provider: 'submariner', options } }), [suite('s')], {
        ...PLAN_OPTIONS, runId, stateDir: `/state/kconn/runs/${runId}`,
      });
    expect(planFingerprint(joined('aaaaaa'))).to.not.equal(planFingerprint(plan('aaaaaa')));
    expect(planFingerprint(joined('aaaaaa'))).to.equal(planFingerprint(joined('bbbbbb')));
    expect(planFingerprint(joined('aaaaaa', { cableDriver: 'libreswan' }))).to.not.equal(planFingerprint(joined('aaaaaa')));
  });
});
