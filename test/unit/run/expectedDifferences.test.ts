import { expect } from 'chai';
import { findDifference } from '../../../harness/cni/knownDifferences.js';
import type { TestOutcome } from '../../../harness/model/runReport.js';
import { classifyExpectedDifferences, type InstalledCni } from '../../../harness/run/expectedDifferences.js';

const outcome = (over: Partial<TestOutcome>): TestOutcome => ({ suite: 's', name: 't', status: 'fail', expected: 'blocked', observed: 'connected', durationMs: 1, attempts: 1, results: [], ...over });
const cilium = (version: string): InstalledCni[] => [{ name: 'cilium', version }];

describe('expected differences: which failures a known difference explains (harness/run/expectedDifferences.ts)', () => {
  it('a failure on a CNI version where a difference the suite depends on holds becomes an expected difference, with id, CNI, reason and source', () => {
    const [o] = classifyExpectedDifferences([outcome({})], ['cilium-ipblock-pod-ip'], () => cilium('1.19.1'));
    const d = findDifference('cilium-ipblock-pod-ip')!;
    expect(o).to.deep.equal({ ...outcome({}), status: 'expected-difference', difference: { id: d.id, cni: 'cilium 1.19.1', reason: d.reason, source: d.source } });
  });

  it('only failures: a pass, an error and a skip stay what they are', () => {
    const kept = [outcome({ status: 'pass' }), outcome({ status: 'error' }), outcome({ status: 'skip' })];
    expect(classifyExpectedDifferences(kept, ['cilium-ipblock-pod-ip'], () => cilium('1.19.1'))).to.deep.equal(kept);
  });

  it('a failure stays a failure: no dependsOn, a difference of another CNI, a version outside the range, a difference the suite does not name', () => {
    const fail = [outcome({})];
    expect(classifyExpectedDifferences(fail, undefined, () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, ['cilium-ipblock-pod-ip'], () => [{ name: 'calico', version: 'v3.32.1' }])).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, ['cilium-endport-ignored'], () => cilium('1.16.0'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, ['cilium-endport-ignored'], () => cilium('1.15.9'))[0]!.status).to.equal('expected-difference');
    expect(classifyExpectedDifferences(fail, ['flannel-no-networkpolicy'], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, ['no-such-difference'], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, ['cilium-ipblock-pod-ip'], () => [])).to.deep.equal(fail);
  });

  it('any cluster the test involves counts; differences of every CNI (*) too; the first in dependsOn order wins', () => {
    const both = (): InstalledCni[] => [{ name: 'calico', version: 'v3.32.1' }, { name: 'cilium', version: '1.19.1' }];
    expect(classifyExpectedDifferences([outcome({})], ['cilium-ipblock-pod-ip'], both)[0]!.difference?.cni).to.equal('cilium 1.19.1');
    expect(classifyExpectedDifferences([outcome({})], ['hostnetwork-undefined'], () => [{ name: 'kindnet', version: 'bundled' }])[0]!.difference?.id).to.equal('hostnetwork-undefined');
    const [o] = classifyExpectedDifferences([outcome({})], ['cilium-host-identity', 'cilium-ipblock-pod-ip'], () => cilium('1.19.1'));
    expect(o!.difference?.id).to.equal('cilium-host-identity');
  });

  it('asks for the clusters of each outcome', () => {
    const asked: string[] = [];
    const outs = [outcome({ name: 'a', cluster: 'east' }), outcome({ name: 'b', cluster: 'west' })];
    const got = classifyExpectedDifferences(outs, ['cilium-ipblock-pod-ip'], (o) => {
      asked.push(o.name);
      return o.cluster === 'west' ? cilium('1.19.1') : [{ name: 'calico', version: 'v3.32.1' }];
    });
    expect(asked).to.deep.equal(['a', 'b']);
    expect(got.map((o) => o.status)).to.deep.equal(['fail', 'expected-difference']);
  });
});
