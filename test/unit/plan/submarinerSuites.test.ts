import { expect } from 'chai';
import { loadProject } from '../../../harness/load/loadProject.js';
import { planRun } from '../../../harness/plan/planRun.js';
import { REPO_ROOT } from '../../support/paths.js';
import { PLAN_OPTIONS } from '../../support/planFixtures.js';

/** The shipped Submariner suites validate and plan: they run on clusters/east-west.yaml and are skipped elsewhere. */
describe('shipped Submariner suites', () => {
  const SUITES = ['submariner-network-policy', 'submariner-routing', 'submariner-service-discovery'];

  it('run on the east-west topology (Submariner), on every CNI it supports', async () => {
    const project = await loadProject(['clusters', 'suites', 'manifests'], { cwd: REPO_ROOT });
    expect(project.diagnostics).to.deep.equal([]);
    const eastWest = project.topologies.find((t) => t.name === 'east-west')!;
    for (const cni of ['calico', 'kindnet', 'flannel']) {
      const plan = planRun(eastWest, project.suites, { ...PLAN_OPTIONS, cni });
      const status = Object.fromEntries(plan.suites.filter((s) => SUITES.includes(s.name)).map((s) => [s.name, s.reason ?? s.status]));
      const policy = cni === 'flannel' ? 'flannel does not enforce NetworkPolicy (clusters east, west)' : 'run';
      expect(status, cni).to.deep.equal({ 'submariner-network-policy': policy, 'submariner-routing': 'run', 'submariner-service-discovery': 'run' });
    }
  });

  it('are skipped with the reason on a one-cluster topology and under Globalnet (no pod routing)', async () => {
    const project = await loadProject(['clusters', 'suites', 'manifests'], { cwd: REPO_ROOT });
    const plain = planRun(project.topologies.find((t) => t.name === 'default')!, project.suites, PLAN_OPTIONS);
    for (const s of plain.suites.filter((x) => SUITES.includes(x.name))) expect(s.reason).to.equal('needs clusters east, west, not in topology default');
    const eastWest = project.topologies.find((t) => t.name === 'east-west')!;
    const globalnet = planRun({ ...eastWest, multicluster: { ...eastWest.multicluster!, options: { globalnet: true } } }, project.suites, PLAN_OPTIONS);
    expect(globalnet.suites.find((s) => s.name === 'submariner-routing')!.reason).to.equal('clusters east, west: not joined by a provider that routes pod IPs between clusters (crossClusterPodRouting)');
    expect(globalnet.suites.find((s) => s.name === 'submariner-service-discovery')!.status, 'the MCS API works under Globalnet').to.equal('run');
  });
});
