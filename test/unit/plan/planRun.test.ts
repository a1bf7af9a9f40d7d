import { expect } from 'chai';
import { planRun, PlanError } from '../../../harness/plan/planRun.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

describe('planRun', () => {
  it('is deterministic: same input, same plan', () => {
    const t = topology([cluster('east'), cluster('west', { workers: 2 })], { cni: { name: 'calico', options: {} } });
    const a = JSON.stringify(planRun(t, [suite('a'), suite('b')], PLAN_OPTIONS));
    const b = JSON.stringify(planRun(t, [suite('a'), suite('b')], PLAN_OPTIONS));
    expect(a).to.equal(b);
  });

  it('skips a suite whose required capability a cluster lacks, naming the CNI and cluster: not supported', () => {
    const t = topology([cluster('main')], { cni: { name: 'flannel', options: {} } });
    const plan = planRun(t, [suite('np', { requires: ['networkPolicy'] }), suite('plain')], PLAN_OPTIONS);
    expect(plan.suites).to.deep.equal([
      { name: 'np', file: 'suites/np.yaml', tests: 1, status: 'skip', reason: 'flannel does not enforce NetworkPolicy (cluster main)', skipKind: 'unsupported' },
      { name: 'plain', file: 'suites/plain.yaml', tests: 1, status: 'run' },
    ]);
  });

  it('skips a suite that names clusters the topology lacks', () => {
    const s = suite('x');
    const crossing = suite('cross', { tests: [{ ...s.tests[0]!, from: { cluster: 'east', namespace: 'demo', selector: 'app=client' } }] });
    const plan = planRun(topology([cluster('main')]), [crossing], PLAN_OPTIONS);
    expect(plan.suites[0]).to.deep.include({ status: 'skip', reason: 'needs cluster east, not in topology t' });
    expect(plan.suites[0]!.skipKind, 'a plain skip: the cluster is missing, not a capability').to.equal(undefined);
  });

  it('counts a test that names no cluster once per cluster', () => {
    const plan = planRun(topology([cluster('a'), cluster('b'), cluster('c')]), [suite('s')], PLAN_OPTIONS);
    expect(plan.suites[0]!.tests).to.equal(3);
    expect(plan.clusters[0]!.capabilities).to.include('multiCluster');
  });

  it('multi-cluster capabilities come from the provider; Submariner refuses Cilium', () => {
    const t = topology([cluster('a'), cluster('b')], { cni: { name: 'calico', options: {} }, multicluster: { provider: 'submariner', options: {} } });
    const plan = planRun(t, [suite('s', { requires: ['crossClusterServiceDiscovery'] })], PLAN_OPTIONS);
    expect(plan.suites[0]!.status).to.equal('run');
    expect(plan.multicluster!.provider).to.equal('submariner');
    const join = plan.multicluster!.steps.find((s) => s.action === 'exec' && s.argv[1] === 'join' && s.argv.includes('a'));
    expect(join && join.action === 'exec' && join.argv).to.include.members(['--natt=false', '--clustercidr', '10.10.0.0/16', '--servicecidr', '10.110.0.0/16']);
    expect(() => planRun(t, [suite('s')], { ...PLAN_OPTIONS, cni: 'cilium' })).to.throw(PlanError, 'Submariner with Cilium is not supported upstream');
  });

  it('--suite selects by name and an unknown name is an error listing the suites', () => {
    const t = topology([cluster('main')]);
    expect(planRun(t, [suite('a'), suite('b')], { ...PLAN_OPTIONS, suites: ['b'] }).suites.map((s) => s.name)).to.deep.equal(['b']);
    expect(() => planRun(t, [suite('a'), suite('b')], { ...PLAN_OPTIONS, suites: ['c'] })).to.throw(PlanError, '--suite c: no such suite; available: a, b');
  });

  it('zero suites is an error, not an empty success', () => {
    expect(() => planRun(topology([cluster('main')]), [], PLAN_OPTIONS)).to.throw(PlanError, 'no suites to run');
  });

  it('keeps the kind network clear when it is known', () => {
    const plan = planRun(topology([cluster('a')]), [suite('s')], { ...PLAN_OPTIONS, kindNetwork: '10.10.0.0/16' });
    expect(plan.clusters[0]!.podSubnet).to.equal('10.20.0.0/16');
    expect(plan.reserved.map((r) => r.cidr)).to.include('10.10.0.0/16');
  });

  it('rejects a run id that would break node names', () => {
    expect(() => planRun(topology([cluster('a')]), [suite('s')], { ...PLAN_OPTIONS, runId: 'Run_1234567' })).to.throw(PlanError, 'run id');
  });
});

describe('planRun: spec.gateway', () => {
  const gateway = { provider: 'traefik' as const, source: { file: 't.yaml', doc: 0, path: ['spec', 'gateway'] } };

  it('installs the gateway in every cluster after its CNI and CoreDNS, and gives the gateway capability', () => {
    const plan = planRun(topology([cluster('east'), cluster('west')], { gateway: { ...gateway, image: 'kconn/traefik:v3.6.12' } }), [suite('gw', { requires: ['gateway'] })], PLAN_OPTIONS);
    for (const c of plan.clusters) {
      const summaries = c.steps.map((s) => s.summary);
      const coredns = summaries.indexOf('wait for the CoreDNS rollout');
      expect(coredns, c.name).to.be.greaterThan(0);
      expect(summaries.slice(coredns + 1)[0], c.name).to.equal('Gateway API v1.4.0 CRDs (standard channel)');
      expect(c.steps.find((s) => s.action === 'load-images'), c.name).to.deep.include({ images: ['kconn/traefik:v3.6.12'] });
      expect(c.capabilities, c.name).to.include('gateway');
    }
    expect(plan.suites[0]!.status).to.equal('run');
  });

  it('without spec.gateway: no gateway step, and a suite that requires one is skipped saying why', () => {
    const plan = planRun(topology([cluster('main')]), [suite('gw', { requires: ['gateway'] })], PLAN_OPTIONS);
    expect(plan.clusters[0]!.steps.some((s) => s.summary.startsWith('Gateway API'))).to.equal(false);
    expect(plan.clusters[0]!.capabilities).to.not.include('gateway');
    expect(plan.suites[0]).to.deep.include({ status: 'skip', skipKind: 'unsupported' });
    expect(plan.suites[0]!.reason).to.match(/no Gateway API and Ingress controller \(the topology has no spec\.gateway\)/);
  });
});
