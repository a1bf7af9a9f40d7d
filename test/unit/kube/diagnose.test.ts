import { expect } from 'chai';
import { collectDiagnostics, describeObject } from '../../../harness/kube/diagnose.js';
import { planRun } from '../../../harness/plan/planRun.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

const crashing = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-flannel-ds-x7', namespace: 'kube-flannel', labels: { app: 'flannel' } },
  status: {
    phase: 'Pending',
    initContainerStatuses: [{ name: 'install-cni-plugin', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } } }],
    containerStatuses: [{ name: 'kube-flannel', ready: false, state: { waiting: { reason: 'PodInitializing' } } }],
  },
};

describe('diagnostics of a cluster that does not come up', () => {
  it('says why a pod is not running', () => {
    expect(describeObject(crashing)).to.equal(
      'Pod kube-flannel/kube-flannel-ds-x7: Pending; install-cni-plugin: waiting CrashLoopBackOff (back-off 40s restarting failed container), 4 restarts; kube-flannel: waiting PodInitializing',
    );
    const pending = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cilium-operator-1', namespace: 'kube-system' }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules." }] } };
    expect(describeObject(pending)).to.equal("Pod kube-system/cilium-operator-1: Pending (unschedulable: 0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.)");
  });

  it('says which conditions are false on status objects and nodes', () => {
    expect(describeObject({ apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: 'calico' }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'ResourceNotReady', message: 'DaemonSet "calico-system/calico-node" is not available' }, { type: 'Degraded', status: 'False' }] } } as never)).to.equal(
      'TigeraStatus calico: Available=False ResourceNotReady (DaemonSet "calico-system/calico-node" is not available)',
    );
    expect(describeObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }] } } as never)).to.equal('Node cp: ok (Ready)');
  });

  it('the plan says what to look at for each CNI, and collecting it never throws', async () => {
    const plan = planRun(topology([cluster('main', { cni: { name: 'flannel', options: {} } })]), [suite('s')], PLAN_OPTIONS);
    expect(plan.clusters[0]!.diagnostics.map((d) => d.summary)).to.deep.equal(['flannel pods', 'nodes', 'kube-system pods']);
    const api = new MemoryKubeApi();
    api.put(crashing as never);
    const lines = await collectDiagnostics(api, plan.clusters[0]!.diagnostics);
    expect(lines).to.deep.equal([
      'flannel pods:',
      `  ${describeObject(crashing)}`,
      'nodes: none',
      'kube-system pods: none',
    ]);
    const broken = { ...api, list: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:34567'); } } as unknown as MemoryKubeApi;
    expect(await collectDiagnostics(broken, [{ summary: 'nodes', apiVersion: 'v1', kind: 'Node' }])).to.deep.equal(['nodes: could not read (connect ECONNREFUSED 127.0.0.1:34567)']);
  });
});
