import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Mocha from 'mocha';
import { loadProject } from '../../../harness/load/loadProject.js';
import { runSuitesWithMocha } from '../../../harness/run/mochaRun.js';
import { apiOnlyClusters, runOptionsFor } from '../../support/labCluster.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

class SilentReporter extends Mocha.reporters.Base {}

const SUITE = `apiVersion: kconn.dev/v1alpha1
kind: Suite
metadata: {name: mcs}
spec:
  objects:
    - name: the ServiceImport appears
      cluster: east
      object: {apiVersion: multicluster.x-k8s.io/v1alpha1, kind: ServiceImport, namespace: mc-demo, name: exported-echo}
      expect: exists
      timeout: 1s
    - name: no ServiceImport for the hidden one
      object: {apiVersion: multicluster.x-k8s.io/v1alpha1, kind: ServiceImport, namespace: mc-demo, name: hidden-echo}
      expect: absent
`;

describe('object checks in a run: loaded, planned with the suite, reported like tests', () => {
  it('a suite of objects only runs its checks on the named cluster or on each, in the order of the plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kconn-objects-'));
    writeFileSync(join(dir, 'mcs.yaml'), SUITE);
    const project = await loadProject([dir]);
    expect(project.diagnostics).to.deep.equal([]);
    expect(project.suites[0]!.objects!.map((o) => [o.name, o.cluster, o.expect, o.timeoutMs])).to.deep.equal([
      ['the ServiceImport appears', 'east', 'exists', 1000],
      ['no ServiceImport for the hidden one', undefined, 'absent', 120_000],
    ]);
    const east = new MemoryKubeApi();
    east.put({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: 'exported-echo', namespace: 'mc-demo' } } as never);
    const west = new MemoryKubeApi();
    west.put({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { name: 'hidden-echo', namespace: 'mc-demo' } } as never);
    const [outcome] = await runSuitesWithMocha([{ name: 'mcs', file: 'mcs.yaml', status: 'run', tests: 3 }], project.suites, ['east', 'west'], {
      ...runOptionsFor(apiOnlyClusters({ east, west }), { readyTimeoutMs: 1000 }),
      reporter: SilentReporter,
    });
    expect(outcome!.tests.map((t) => [t.name, t.cluster, t.status, t.observed])).to.deep.equal([
      ['the ServiceImport appears', 'east', 'pass', outcome!.tests[0]!.observed],
      ['no ServiceImport for the hidden one [east]', 'east', 'pass', 'absent at two looks 5000 ms apart'],
      ['no ServiceImport for the hidden one [west]', 'west', 'fail', 'exists'],
    ]);
  }).timeout(20_000);
});
