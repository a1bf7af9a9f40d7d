import { expect } from 'chai';
import { findDifference } from '../../../harness/cni/knownDifferences.js';
import type { TestOutcome } from '../../../harness/model/runReport.js';
import { classifyExpectedDifferences, type InstalledCni } from '../../../harness/run/expectedDifferences.js';

const outcome = (over: Partial<TestOutcome>): TestOutcome => ({ suite: 's', name: 't', status: 'fail', expected: 'blocked', observed: 'connected', durationMs: 1, attempts: 1, results: [], ...over });
const cilium = (version: string): InstalledCni[] => [{ name: 'cilium', version }];

describe('expected differences: which failures a known difference explains (harness/run/expectedDifferences.ts)', () => {
  it('a failure on a CNI version where a difference the suite depends on holds becomes an expected difference, with id, CNI, reason and source', () => {
    const [o] = classifyExpectedDifferences([outcome({})], [{ id: 'cilium-ipblock-pod-ip' }], () => cilium('1.19.1'));
    const d = findDifference('cilium-ipblock-pod-ip')!;
    expect(o).to.deep.equal({ ...outcome({}), status: 'expected-difference', difference: { id: d.id, cni: 'cilium 1.19.1', reason: d.reason, source: d.source } });
  });

  it('only failures: a pass, an error and a skip stay what they are', () => {
    const kept = [outcome({ status: 'pass' }), outcome({ status: 'error' }), outcome({ status: 'skip' })];
    expect(classifyExpectedDifferences(kept, [{ id: 'cilium-ipblock-pod-ip' }], () => cilium('1.19.1'))).to.deep.equal(kept);
  });

  it('a failure stays a failure: no dependsOn, a difference of another CNI, a version outside the range, a difference the suite does not name', () => {
    const fail = [outcome({})];
    expect(classifyExpectedDifferences(fail, undefined, () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [{ id: 'cilium-ipblock-pod-ip' }], () => [{ name: 'calico', version: 'v3.32.1' }])).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [{ id: 'cilium-endport-ignored' }], () => cilium('1.16.0'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [{ id: 'cilium-endport-ignored' }], () => cilium('1.15.9'))[0]!.status).to.equal('expected-difference');
    expect(classifyExpectedDifferences(fail, [{ id: 'flannel-no-networkpolicy' }], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [{ id: 'no-such-difference' }], () => cilium('1.19.1'))).to.deep.equal(fail);
    expect(classifyExpectedDifferences(fail, [{ id: 'cilium-ipblock-pod-ip' }], () => [])).to.deep.equal(fail);
  });

  it('any cluster the test involves counts; differences of every CNI (*) too; the first in dependsOn order wins', () => {
    const both = (): InstalledCni[] => [{ name: 'calico', version: 'v3.32.1' }, { name: 'cilium', version: '1.19.1' }];
    expect(classifyExpectedDifferences([outcome({})], [{ id: 'cilium-ipblock-pod-ip' }], both)[0]!.difference?.cni).to.equal('cilium 1.19.1');
    expect(classifyExpectedDifferences([outcome({})], [{ id: 'hostnetwork-undefined' }], () => [{ name: 'kindnet', version: 'bundled' }])[0]!.difference?.id).to.equal('hostnetwork-undefined');
    const [o] = classifyExpectedDifferences([outcome({})], [{ id: 'cilium-host-identity' }, { id: 'cilium-ipblock-pod-ip' }], () => cilium('1.19.1'));
    expect(o!.difference?.id).to.equal('cilium-host-identity');
  });

  it('asks for the clusters of each outcome', () => {
    const asked: string[] = [];
    const outs = [outcome({ name: 'a', cluster: 'east' }), outcome({ name: 'b', cluster: 'west' })];
    const got = classifyExpectedDifferences(outs, [{ id: 'cilium-ipblock-pod-ip' }], (o) => {
      asked.push(o.name);
      return o.cluster === 'west' ? cilium('1.19.1') : [{ name: 'calico', version: 'v3.32.1' }];
    });
    expect(asked).to.deep.equal(['a', 'b']);
    expect(got.map((o) => o.status)).to.deep.equal(['fail', 'expected-difference']);
  });

  it('a dependency that names tests or truth-table cells covers only those, in every cluster of the run', () => {
    const dep = [{ id: 'cilium-ipblock-pod-ip', tests: ['x/a -> x/b 8080/TCP', 'by name'] }];
    const names = ['x/a -> x/b 8080/TCP', 'x/a -> x/b 8080/TCP [east]', 'by name', 'x/a -> x/b 8081/TCP', 'by name too', 'x/a -> x/b 8080/TCP [east] extra'];
    const out = classifyExpectedDifferences(names.map((name) => outcome({ name })), dep, () => cilium('1.19.1'));
    expect(out.map((o) => [o.name, o.status])).to.deep.equal([
      ['x/a -> x/b 8080/TCP', 'expected-difference'],
      ['x/a -> x/b 8080/TCP [east]', 'expected-difference'],
      ['by name', 'expected-difference'],
      ['x/a -> x/b 8081/TCP', 'fail'],
      ['by name too', 'fail'],
      ['x/a -> x/b 8080/TCP [east] extra', 'expected-difference'],
    ]);
  });
});
