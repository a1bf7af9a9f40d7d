import { expect } from 'chai';
import { renderPlanText } from '../../../harness/cli/renderPlan.js';
import { missingChartVersion } from '../../../harness/provision/chartIndex.js';
import { loadProject } from '../../../harness/load/loadProject.js';
import { planRun, PlanError } from '../../../harness/plan/planRun.js';
import { REPO_ROOT } from '../../support/paths.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

describe('Istio plans', () => {
  const joined = (options: Record<string, unknown> = {}, cni = 'kindnet') =>
    topology([cluster('east'), cluster('west')], { cni: { name: cni, options: {} }, multicluster: { provider: 'istio', options } });

  it('the plan text shows the Helm values, the objects, the polls, and placeholders for key material', () => {
    const text = renderPlanText(planRun(joined(), [suite('s')], { ...PLAN_OPTIONS, kindNetwork: '172.18.0.0/16' }));
    const section = text.slice(text.indexOf('Multi-cluster:'), text.indexOf('Suites:'));
    const shown = [
      'Multi-cluster: istio 1.30.5, after every cluster is up',
      'chart https://istio-release.storage.googleapis.com/charts istiod 1.30.5 -n istio-system values {"global":{"meshID":"kconn-mesh","multiCluster":{"clusterName":"west"},"network":"network-west"}}',
      '          kind: IPAddressPool\n',
      '        poll load-balancer-address {"namespace":"istio-system","service":"istio-eastwestgateway"} (timeout 3m)\n',
      'built at run time by cacerts',
      '"ca-key.pem":"<its private key: never printed; file /state/kconn/runs/t1/multicluster/mesh-ca/east/ca-key.pem, mode 0600>"',
      'built at run time by remote-secret {"source":"west","secret":"istio-system/istio-remote-secret-west","server":"{server:west}"',
      '  when a step fails, into the diagnostics:\n        $ docker network inspect kind\n',
    ];
    for (const fragment of shown) expect(section).to.include(fragment);
    expect(section).to.not.match(/BEGIN|PRIVATE KEY-----/);
  });

  it('refuses, located at spec.multicluster, what cannot work: no LoadBalancer, or a kind network with no room', () => {
    expect(() => planRun(joined({ loadBalancer: 'none' }), [suite('s')], PLAN_OPTIONS)).to.throw(PlanError, 'loadBalancer: none gives none');
    expect(() => planRun(joined(), [suite('s')], { ...PLAN_OPTIONS, kindNetwork: '10.0.0.0/28' })).to.throw(PlanError, 'too small for MetalLB');
    expect(() => planRun(joined({ loadBalancer: 'cloud-provider-kind' }), [suite('s')], { ...PLAN_OPTIONS, kindNetwork: '10.0.0.0/28' })).to.not.throw();
  });

  it('the shipped Istio suites run on clusters/istio.yaml and skip, with the reason, on the other topologies', async () => {
    const project = await loadProject(['clusters', 'suites'], { cwd: REPO_ROOT });
    const plan = (name: string) => {
      const t = project.topologies.find((x) => x.name === name)!;
      return planRun(t, project.suites, { ...PLAN_OPTIONS, runId: 'ab12cd' }).suites.filter((s) => s.name.startsWith('istio-'));
    };
    const istio = plan('istio');
    expect(istio.map((s) => [s.name, s.status, s.tests])).to.deep.equal([
      ['istio-canary', 'run', 1],
      ['istio-locality', 'run', 4],
      ['istio-mtls', 'run', 4],
      ['istio-multicluster', 'run', 3],
    ]);
    for (const s of plan('east-west')) expect(s.status, s.name).to.equal('skip');
    for (const s of plan('east-west')) expect(s.reason, s.name).to.include('not in a service mesh with mutual TLS (mtls)');
    for (const s of plan('default')) expect(s.status, s.name).to.equal('skip');
  });

  it("each Istio chart's pinned version is looked up in the repository's index before helm runs", () => {
    const steps = planRun(joined(), [suite('s')], PLAN_OPTIONS).multicluster!.steps.filter((s) => s.action === 'helm-install');
    expect(new Set(steps.map((s) => (s.action === 'helm-install' ? `${s.repo} ${s.chart} ${s.version}` : '')))).to.deep.equal(
      new Set(['base', 'istiod', 'gateway'].map((c) => `https://istio-release.storage.googleapis.com/charts ${c} 1.30.5`)),
    );
    const index = 'apiVersion: v1\nentries:\n  istiod:\n    - {version: 1.30.3}\n    - {version: 1.30.2}\n    - {version: 1.29.6}\n';
    expect(missingChartVersion(index, 'https://istio-release.storage.googleapis.com/charts', 'istiod', '1.30.5')).to.equal(
      'chart istiod 1.30.5 is not in https://istio-release.storage.googleapis.com/charts/index.yaml; the newest 1.30 there: 1.30.3, 1.30.2: set the version in the topology (cni: {name: ..., version: ...} for a CNI, multicluster.version for a multi-cluster provider) to one the repository lists',
    );
    expect(missingChartVersion(index.replace('1.30.3', '1.30.5'), 'https://istio-release.storage.googleapis.com/charts', 'istiod', '1.30.5')).to.equal(undefined);
  });
});
