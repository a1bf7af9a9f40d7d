import { expect } from 'chai';
import { pollUntil, PollTimeoutError, ReadinessFailedError } from '../../../harness/kube/poll.js';
import { explainWaiting } from '../../../harness/kube/explainWaiting.js';
import { conditionTrue, endpointsReady, nodesReady, podProblems, podsReady, rolloutComplete } from '../../../harness/kube/readiness.js';
import { runWaitStep } from '../../../harness/kube/waitStep.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const node = (name: string, ready: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready }] } });
const ds = (status: Record<string, number>, generation = 1) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system', generation }, status });

/** Virtual time: sleeping advances the clock, so long timeouts cost nothing. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

describe('readiness rules', () => {
  it('nodes: all Ready and as many as planned', () => {
    expect(nodesReady([node('a', 'True'), node('b', 'True')], 2)).to.deep.equal({ ready: true, detail: '2/2 nodes Ready' });
    expect(nodesReady([node('a', 'True'), node('b', 'False')], 2)).to.deep.equal({ ready: false, detail: '1/2 nodes Ready (not ready: b)' });
    expect(nodesReady([node('a', 'True')], 2).ready, 'a worker has not joined yet').to.equal(false);
  });

  it('rollouts follow kubectl rollout status', () => {
    expect(rolloutComplete(ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).ready).to.equal(true);
    expect(rolloutComplete(ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 })).ready).to.equal(false);
    expect(rolloutComplete(ds({ observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 }, 2)).detail).to.include('observe generation 2');
    expect(rolloutComplete(ds({ observedGeneration: 1, desiredNumberScheduled: 0 })).ready, 'a DaemonSet that schedules nothing is done (kubectl)').to.equal(true);
    expect(rolloutComplete(ds({ observedGeneration: 0, desiredNumberScheduled: 0 })).ready, 'but not before the controller saw it').to.equal(false);
    const deploy = (status: Record<string, number>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system', generation: 3 }, spec: { replicas: 2 }, status });
    expect(rolloutComplete(deploy({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).ready).to.equal(true);
    expect(rolloutComplete(deploy({ observedGeneration: 3, replicas: 3, updatedReplicas: 2, availableReplicas: 2 })).detail).to.include('1 old replica(s) terminating');
    expect(rolloutComplete(deploy({ observedGeneration: 3, replicas: 3, updatedReplicas: 2, availableReplicas: 2 })).ready).to.equal(false);
    expect(rolloutComplete(deploy({ observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).ready).to.equal(false);
    expect(rolloutComplete(deploy({ observedGeneration: 3, replicas: 2, updatedReplicas: 1, availableReplicas: 2 })).ready).to.equal(false);
    expect(rolloutComplete(deploy({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 })).ready).to.equal(false);
  });

  it('a Deployment past its progress deadline has failed: no more waiting', () => {
    const stuck = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'demo', generation: 1 }, spec: { replicas: 1 },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "echo-1" has timed out progressing.' }] },
    };
    expect(rolloutComplete(stuck)).to.deep.equal({ ready: false, failed: true, detail: 'Deployment demo/echo exceeded its progress deadline: ReplicaSet "echo-1" has timed out progressing.' });
  });

  it('StatefulSets: observed generation, ready replicas and the update revision (kubectl rollout status)', () => {
    const sts = (status: Record<string, unknown>, generation = 2) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'demo', generation }, spec: { replicas: 2 }, status });
    expect(rolloutComplete(sts({ observedGeneration: 2, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-1' })).ready).to.equal(true);
    expect(rolloutComplete(sts({ observedGeneration: 1, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-1' })).ready).to.equal(false);
    expect(rolloutComplete(sts({ observedGeneration: 2, readyReplicas: 1, currentRevision: 'db-1', updateRevision: 'db-1' })).ready).to.equal(false);
    const rolling = rolloutComplete(sts({ observedGeneration: 2, readyReplicas: 2, currentRevision: 'db-1', updateRevision: 'db-2' }));
    expect(rolling).to.deep.equal({ ready: false, detail: 'StatefulSet demo/db: 2/2 ready, rolling update to revision db-2 not complete' });
    expect(rolloutComplete(sts({ readyReplicas: 2 }, 0)).ready, 'never observed').to.equal(false);
  });

  it('pod waiting reasons and unschedulable pods are named', () => {
    const pod = (name: string, status: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status });
    expect(
      podProblems([
        pod('a', { containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }, { name: 'd', state: { running: {} } }] }),
        pod('b', { initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
        pod('c', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/2 nodes are available' }] }),
        pod('d', { containerStatuses: [{ name: 'c', state: { running: {} } }] }),
      ]),
    ).to.deep.equal([
      'pod a container c: ImagePullBackOff (Back-off pulling image "x")',
      'pod b container init: CrashLoopBackOff',
      'pod c: Unschedulable (0/2 nodes are available)',
    ]);
  });

  it('a workload that is not ready shows its pods\' waiting reasons; a ready one lists no pods', async () => {
    const api = new MemoryKubeApi();
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'demo', generation: 1 }, spec: { replicas: 1, selector: { matchLabels: { app: 'echo' } } }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 } };
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-1', namespace: 'demo', labels: { app: 'echo' } }, status: { containerStatuses: [{ name: 'echo', state: { waiting: { reason: 'ErrImagePull' } } }] } } as never);
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'demo', labels: { app: 'other' } }, status: { containerStatuses: [{ name: 'x', state: { waiting: { reason: 'CrashLoopBackOff' } } }] } } as never);
    const r = await explainWaiting(api, d, rolloutComplete(d));
    expect(r.detail).to.equal('Deployment demo/echo: 0/1 available, 1 updated [pod echo-1 container echo: ErrImagePull]');
    expect(api.calls).to.deep.equal(['list Pod demo app=echo']);
    const ready = { ...d, status: { ...d.status, availableReplicas: 1 } };
    api.calls.length = 0;
    expect((await explainWaiting(api, ready, rolloutComplete(ready))).ready).to.equal(true);
    expect(api.calls).to.deep.equal([]);
  });

  it('conditions, pods and endpoints', () => {
    const ts = { apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: 'calico' }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'ResourceNotReady', message: 'calico-node not ready' }] } };
    expect(conditionTrue(ts, 'Available')).to.deep.equal({ ready: false, detail: 'TigeraStatus calico Available: False (ResourceNotReady: calico-node not ready)' });
    expect(podsReady([]).ready, 'no pod is not ready').to.equal(false);
    const slice = (ready: boolean) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, endpoints: [{ conditions: { ready } }] });
    expect(endpointsReady([slice(false)], 'demo/echo').ready).to.equal(false);
    expect(endpointsReady([slice(false), slice(true)], 'demo/echo')).to.deep.equal({ ready: true, detail: 'service demo/echo: 1 ready endpoint(s)' });
  });
});

describe('polling', () => {
  it('polls until ready, reporting each new state once', async () => {
    const c = clock();
    const seen: string[] = [];
    let n = 0;
    const r = await pollUntil('x', async () => ({ ready: ++n >= 3, detail: `try ${Math.min(n, 2)}` }), { timeoutMs: 60_000, intervalMs: 1000, onProgress: (d) => seen.push(d), ...c });
    expect(r.ready).to.equal(true);
    expect(seen).to.deep.equal(['try 1', 'try 2']);
    expect(c.now()).to.equal(2000);
  });

  it('gives up at the deadline with the last thing it saw', async () => {
    const c = clock();
    try {
      await pollUntil('calico', async () => ({ ready: false, detail: 'TigeraStatus calico does not exist yet' }), { timeoutMs: 300_000, intervalMs: 5000, ...c });
      expect.fail('should time out');
    } catch (e) {
      expect(e).to.be.instanceOf(PollTimeoutError);
      expect((e as Error).message).to.equal('calico: not ready after 300s; last seen: TigeraStatus calico does not exist yet');
    }
  });

  it('a failed check stops polling at once, long before the deadline', async () => {
    const c = clock();
    let n = 0;
    const failure = await pollUntil('echo', async () => (++n < 2 ? { ready: false, detail: 'waiting' } : { ready: false, failed: true, detail: 'Deployment demo/echo exceeded its progress deadline' }), {
      timeoutMs: 300_000,
      intervalMs: 1000,
      ...c,
    }).catch((e: Error) => e);
    expect(failure).to.be.instanceOf(ReadinessFailedError);
    expect((failure as Error).message).to.equal('echo: Deployment demo/echo exceeded its progress deadline');
    expect(c.now()).to.equal(1000);
  });

  it('an API error while the control plane starts counts as not ready, not as failure', async () => {
    const c = clock();
    let n = 0;
    const r = await pollUntil('x', async () => {
      if (++n < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
      return { ready: true, detail: 'ok' };
    }, { timeoutMs: 10_000, ...c });
    expect(r.detail).to.equal('ok');
  });

  it('stops when aborted, saying why and what it last saw', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGINT'));
    const failure = await pollUntil('nodes', async () => ({ ready: false, detail: '0/1 nodes Ready' }), { timeoutMs: 10_000, signal: controller.signal }).catch((e: Error) => e);
    expect((failure as Error).message).to.equal('nodes: stopped (interrupted by SIGINT); last seen: not checked yet');
  });
});

describe('wait steps against an API whose objects change over time', () => {
  it('waits for a TigeraStatus that appears only after the operator reconciles', async () => {
    const api = new MemoryKubeApi();
    api.onRead = (reads) => {
      if (reads === 3) api.put({ apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: 'calico' }, status: { conditions: [{ type: 'Available', status: 'False' }] } } as never);
      if (reads === 5) api.put({ apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus', metadata: { name: 'calico' }, status: { conditions: [{ type: 'Available', status: 'True' }] } } as never);
    };
    const seen: string[] = [];
    const c = clock();
    const step = { action: 'wait', summary: 'calico', resource: 'tigerastatus', name: 'calico', condition: 'Available', timeout: '5m' } as const;
    await runWaitStep(api, step, 1, { onProgress: (d) => seen.push(d), ...c, intervalMs: 5000 });
    expect(seen).to.deep.equal(['TigeraStatus calico does not exist yet', 'TigeraStatus calico Available: False', 'TigeraStatus calico is Available']);
  });
});
