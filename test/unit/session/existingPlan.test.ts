import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { existingPlan, resolveCni, schedulableNodes, withCauses, type ExistingCluster } from '../../../harness/session/existingSession.js';
import { planRun } from '../../../harness/plan/planRun.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

const SUITES = [suite('basic'), suite('policy', { requires: ['networkPolicy'] }), suite('nodes', { requires: ['multiNode'] })];

/** The plan of a one-cluster topology that asks for Calico with two workers: what kind would build. */
const kindPlan = (clusters = [cluster('main', { workers: 2, cni: { name: 'calico', options: {} } })]) => planRun(topology(clusters), SUITES, PLAN_OPTIONS);

const facts = (cni: string, extra: Partial<ExistingCluster> = {}): ExistingCluster => ({ name: 'main', cni, cniVersion: cni === 'unknown' ? '' : 'v9', detail: '', schedulableNodes: 3, kubernetesVersion: 'v1.33.1', ...extra });

const statuses = (plan: ReturnType<typeof existingPlan>) => Object.fromEntries(plan.suites.map((s) => [s.name, s.status === 'run' ? 'run' : `skip: ${s.reason}`]));

describe('the plan of a run on existing clusters', () => {
  it('takes the CNI and version found on the cluster, not the topology\'s; nothing to provision', () => {
    const plan = existingPlan(kindPlan(), [facts('flannel', { cniVersion: 'v0.26.1' })], SUITES);
    const c = plan.clusters[0]!;
    expect(c.cni).to.deep.equal({ name: 'flannel', version: 'v0.26.1', options: {} });
    expect(c.capabilities).to.deep.equal(['multiNode']);
    expect(c.steps).to.deep.equal([]);
    expect(c.kindName).to.equal('');
    expect(plan.kindVersion).to.equal('none');
    expect(plan.kubernetesVersion).to.equal('v1.33.1');
    expect(statuses(plan)).to.deep.equal({ basic: 'run', policy: 'skip: flannel does not enforce NetworkPolicy (cluster main)', nodes: 'run' });
  });

  it('a CNI that enforces policy: policy suites run (and the run\'s control still checks it)', () => {
    const plan = existingPlan(kindPlan([cluster('main', { workers: 1, cni: { name: 'flannel', options: {} } })]), [facts('cilium')], SUITES);
    expect(plan.clusters[0]!.capabilities).to.deep.equal(['networkPolicy', 'multiNode']);
    expect(statuses(plan)).to.deep.equal({ basic: 'run', policy: 'run', nodes: 'run' });
  });

  it('unknown CNI: networkPolicy is not claimed, yet policy suites are planned so that the control decides', () => {
    const plan = existingPlan(kindPlan(), [facts('unknown')], SUITES);
    const c = plan.clusters[0]!;
    expect(c.cni).to.deep.equal({ name: 'unknown', version: '', options: {} });
    expect(c.capabilities, 'reported without networkPolicy').to.deep.equal(['multiNode']);
    expect(statuses(plan)).to.deep.equal({ basic: 'run', policy: 'run', nodes: 'run' });
  });

  it('multiNode comes from the nodes that take pods, not from the topology\'s workers', () => {
    const one = existingPlan(kindPlan(), [facts('calico', { schedulableNodes: 1 })], SUITES);
    expect(one.clusters[0]!.capabilities).to.deep.equal(['networkPolicy']);
    expect(statuses(one)['nodes']).to.equal('skip: cluster main: one node that takes pods (multiNode)');
    const many = existingPlan(kindPlan([cluster('main', { workers: 0 })]), [facts('kindnet', { schedulableNodes: 2 })], SUITES);
    expect(many.clusters[0]!.capabilities).to.deep.equal(['networkPolicy', 'multiNode']);
  });

  it('keeps what the topology gives beyond the CNI (multiCluster), per cluster, and every version seen', () => {
    const plan = existingPlan(
      kindPlan([cluster('east'), cluster('west')]),
      [facts('kindnet', { name: 'east' }), facts('flannel', { name: 'west', kubernetesVersion: 'v1.32.0' })],
      SUITES,
    );
    expect(plan.clusters.map((c) => [c.name, c.cni.name, c.capabilities])).to.deep.equal([
      ['east', 'kindnet', ['networkPolicy', 'multiNode', 'multiCluster']],
      ['west', 'flannel', ['multiNode', 'multiCluster']],
    ]);
    expect(plan.kubernetesVersion).to.equal('east v1.33.1, west v1.32.0');
    expect(statuses(plan)['policy']).to.equal('skip: flannel does not enforce NetworkPolicy (cluster west)');
  });

  it('keeps only the suites the run selected (--suite)', () => {
    const selected = planRun(topology([cluster('main')]), SUITES, { ...PLAN_OPTIONS, suites: ['policy'] });
    expect(existingPlan(selected, [facts('kindnet')], SUITES).suites.map((s) => s.name)).to.deep.equal(['policy']);
  });

  it('declared --cni wins over detection; a mismatch is said', () => {
    expect(resolveCni('calico', { status: 'detected', cni: 'calico', version: 'v3.30.0', daemonSet: 'calico-system/calico-node' })).to.deep.equal({
      cni: 'calico', version: 'v3.30.0', detail: 'declared (--cni calico); calico-system/calico-node runs',
    });
    expect(resolveCni('calico', { status: 'detected', cni: 'cilium', version: 'v1.19.7', daemonSet: 'kube-system/cilium' })).to.deep.equal({
      cni: 'calico', version: '', detail: 'declared (--cni calico), although kconn sees cilium (kube-system/cilium)',
    });
    expect(resolveCni('calico', { status: 'unknown', detail: 'nothing' }).cni).to.equal('calico');
    expect(resolveCni(undefined, { status: 'detected', cni: 'kindnet', version: 'v1', daemonSet: 'kube-system/kindnet' })).to.deep.equal({
      cni: 'kindnet', version: 'v1', detail: 'detected: kube-system/kindnet runs',
    });
    const unknown = resolveCni(undefined, { status: 'unknown', detail: 'no DaemonSet' });
    expect(unknown.cni).to.equal('unknown');
    expect(unknown.detail).to.include('NetworkPolicy is not assumed').and.include('policy control decides');
  });

  it('counts the nodes that take test pods', () => {
    const node = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec }) as KubernetesObject;
    expect(
      schedulableNodes([
        node({}),
        node({ taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
        node({ taints: [{ key: 'example.com/gpu', effect: 'PreferNoSchedule' }] }),
        node({ unschedulable: true }),
        node({ taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }),
        node({ taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      ]),
    ).to.equal(3);
  });

  it('error messages keep their causes', () => {
    const e = new Error('Failed to fetch resource metadata', { cause: new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6443') }) });
    expect(withCauses(e)).to.equal('Failed to fetch resource metadata: fetch failed: connect ECONNREFUSED 127.0.0.1:6443');
  });
});
