import { expect } from 'chai';
import { renderPlanText } from '../../../harness/cli/renderPlan.js';
import { planRun, PlanError } from '../../../harness/plan/planRun.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

describe('multi-cluster plans', () => {
  const joined = (options: Record<string, unknown> = {}, extra: Parameters<typeof cluster>[1] = {}) =>
    topology([cluster('east', extra), cluster('west', extra)], { cni: { name: 'kindnet', options: {} }, multicluster: { provider: 'submariner', options } });

  it('names the kubeconfigs handed out (in the run folder, never in reports) and the folder host commands run in', () => {
    const mc = planRun(joined(), [suite('s')], PLAN_OPTIONS).multicluster!;
    expect(mc.kubeconfigs).to.deep.equal({ east: '/state/kconn/runs/t1/east/kubeconfig-internal', west: '/state/kconn/runs/t1/west/kubeconfig-internal' });
    expect(mc.workDir).to.equal('/state/kconn/runs/t1/multicluster');
    expect(mc.onFailure).to.have.length(4);
    // The joins use the subnets the plan allocated, so subctl never asks for them.
    const joins = mc.steps.filter((s) => s.action === 'exec' && s.argv[1] === 'join');
    expect(joins.map((s) => (s.action === 'exec' ? [s.argv[s.argv.indexOf('--clustercidr') + 1], s.argv[s.argv.indexOf('--servicecidr') + 1]] : []))).to.deep.equal([
      ['10.10.0.0/16', '10.110.0.0/16'],
      ['10.20.0.0/16', '10.120.0.0/16'],
    ]);
  });

  it('Globalnet lets explicit subnets of different clusters overlap (never within one cluster), and drops pod routing', () => {
    const same = { podSubnet: '10.50.0.0/16', serviceSubnet: '10.150.0.0/16' };
    const plan = planRun(joined({ globalnet: true }, same), [suite('s')], PLAN_OPTIONS);
    expect(plan.clusters.map((c) => c.podSubnet)).to.deep.equal(['10.50.0.0/16', '10.50.0.0/16']);
    expect(plan.clusters[0]!.capabilities).to.include('crossClusterServiceDiscovery').and.not.include('crossClusterPodRouting');
    expect(() => planRun(joined({}, same), [suite('s')], PLAN_OPTIONS)).to.throw(PlanError, 'overlaps');
    expect(() => planRun(joined({ globalnet: true }, { podSubnet: '10.50.0.0/16', serviceSubnet: '10.50.128.0/20' }), [suite('s')], PLAN_OPTIONS)).to.throw(PlanError, 'overlaps');
  });

  it('the plan text shows every step with its exact command, object or check, and what runs on failure', () => {
    const t = topology([cluster('east'), cluster('west')], { cni: { name: 'calico', options: {} }, multicluster: { provider: 'submariner', options: {} } });
    const text = renderPlanText(planRun(t, [suite('s')], PLAN_OPTIONS));
    const section = text.slice(text.indexOf('Multi-cluster:'), text.indexOf('Suites:'));
    expect(section).to.include('Multi-cluster: submariner 0.22.0, after every cluster is up');
    expect(section).to.include('     1. [east] label kconn-t1-east-worker as the Submariner gateway (before join, so that subctl never asks)\n        label Node kconn-t1-east-worker submariner.io/gateway=true\n');
    expect(section).to.include('        server-side apply:\n          apiVersion: crd.projectcalico.org/v1\n          kind: IPPool\n          metadata:\n            name: submariner-west-pods\n          spec:\n            cidr: 10.20.0.0/16\n            natOutgoing: false\n            disabled: true\n');
    expect(section).to.include('        $ subctl deploy-broker --kubeconfig /state/kconn/runs/t1/east/kubeconfig-internal\n');
    expect(section).to.include('        poll gateways-connected {"namespace":"submariner-operator","peers":["west"]} (timeout 10m)\n');
    expect(section).to.include('        poll deployment -n submariner-operator submariner-lighthouse-coredns until rollout-complete (timeout 10m)\n');
    expect(section).to.include('  when a step fails, into the diagnostics:\n        $ subctl show all --kubeconfig /state/kconn/runs/t1/east/kubeconfig-internal\n');
  });

  it('renders host commands whose output is applied elsewhere, and computed objects without their content', () => {
    const base = planRun(joined(), [suite('s')], PLAN_OPTIONS);
    const text = renderPlanText({
      ...base,
      multicluster: {
        ...base.multicluster!,
        steps: [
          { action: 'exec', cluster: 'east', summary: 'remote secret of east for west', argv: ['istioctl', 'create-remote-secret', '--server', '{server:east}'], applyStdoutTo: 'west' },
          { action: 'apply-computed', cluster: 'west', summary: 'cacerts of west', compute: 'cacerts', input: { cluster: 'west' } },
        ],
        onFailure: [],
      },
    });
    expect(text).to.include('     1. [east] remote secret of east for west\n        $ istioctl create-remote-secret --server {server:east}\n        | server-side apply to west\n');
    expect(text).to.include('     2. [west] cacerts of west\n        built at run time by cacerts {"cluster":"west"} (not shown: may hold private keys)\n');
    expect(text).to.not.include('when a step fails');
  });
});
