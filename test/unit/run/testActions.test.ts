import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { TestOutcome } from '../../../harness/model/runReport.js';
import type { ConnectivityTest } from '../../../harness/model/suite.js';
import type { ScaleAction, TestAction } from '../../../harness/model/testAction.js';
import type { ExpandedTest } from '../../../harness/run/expandTests.js';
import type { SuiteRunOptions } from '../../../harness/run/runOptions.js';
import { describeAction, runTestAction, runWithActions } from '../../../harness/run/testActions.js';
import { apiOnlyClusters, runOptionsFor } from '../../support/labCluster.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const deployment = (replicas: number): KubernetesObject =>
  ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'loc', labels: { 'kconn.dev/suite': 's' } },
    spec: { replicas, selector: { matchLabels: { app: 'echo' } }, template: { metadata: { labels: { app: 'echo' } }, spec: { containers: [{ name: 'echo', image: 'agnhost' }] } } },
  }) as KubernetesObject;
const pod = (name: string): KubernetesObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'loc', labels: { app: 'echo' } }, status: { phase: 'Running', podIP: '10.0.0.9', conditions: [{ type: 'Ready', status: 'True' }] } }) as KubernetesObject;
const scale = (over: Partial<ScaleAction> = {}): ScaleAction => ({ kind: 'scale', namespace: 'loc', name: 'echo', replicas: 0, source: { file: 's.yaml', doc: 0, path: [] }, ...over });

function options(apis: Record<string, MemoryKubeApi>, lines: string[] = []): SuiteRunOptions {
  return runOptionsFor(apiOnlyClusters(apis), { progress: (l) => lines.push(l), readyTimeoutMs: 2000 });
}

describe('test actions: scale a Deployment of the suite before a test', () => {
  it('applies the suite\'s own Deployment with the new replicas and waits until its pods are gone', async () => {
    const east = new MemoryKubeApi();
    east.put(pod('echo-1'));
    // The pod terminates a few reads after the scale.
    east.onRead = (reads) => {
      if (reads >= 2) east.objects.delete('Pod/loc/echo-1');
    };
    await runTestAction(scale({ cluster: 'east' }), new Map([['east', [deployment(1)]], ['west', [deployment(1)]]]), options({ east, west: new MemoryKubeApi() }));
    expect(east.calls[0]).to.equal('apply (strict) Deployment loc/echo');
    const applied = east.objects.get('Deployment/loc/echo') as unknown as { spec: { replicas: number; template: unknown }; metadata: { labels: Record<string, string> } };
    expect(applied.spec.replicas).to.equal(0);
    expect(applied.spec.template, 'the whole object, as the suite applied it (one field manager: only replicas change)').to.deep.equal((deployment(1) as unknown as { spec: { template: unknown } }).spec.template);
    expect(applied.metadata.labels).to.deep.equal({ 'kconn.dev/suite': 's' });
    expect(east.calls.filter((c) => c.startsWith('list Pod'))).to.have.length.greaterThan(1);
    expect(east.calls).to.include('list Pod loc app=echo');
  });

  it('without a cluster, scales it on every cluster the suite applied it to; scaling up waits for ready pods', async () => {
    const east = new MemoryKubeApi();
    const west = new MemoryKubeApi();
    const other = new MemoryKubeApi();
    west.onRead = (reads) => {
      if (reads >= 2) west.put(pod('echo-2'));
    };
    east.put(pod('echo-1'));
    east.put(pod('echo-3'));
    east.onRead = (reads) => {
      if (reads >= 2) east.objects.delete('Pod/loc/echo-3');
    };
    await runTestAction(scale({ replicas: 1 }), new Map([['east', [deployment(2)]], ['west', [deployment(0)]], ['other', []]]), options({ east, west, other }));
    expect(east.calls[0]).to.equal('apply (strict) Deployment loc/echo');
    expect(west.calls[0]).to.equal('apply (strict) Deployment loc/echo');
    expect(other.calls).to.deep.equal([]);
  });

  it('a Deployment the suite did not apply, or a scale that never settles, is refused with the reason', async () => {
    const api = new MemoryKubeApi();
    await runTestAction(scale({ name: 'nope' }), new Map([['east', [deployment(1)]]]), options({ east: api })).then(
      () => expect.fail('must refuse'),
      (e: Error) => expect(e.message).to.equal("no Deployment loc/nope among the suite's manifests"),
    );
    await runTestAction(scale({ cluster: 'west' }), new Map([['east', [deployment(1)]]]), options({ east: api })).then(
      () => expect.fail('must refuse'),
      (e: Error) => expect(e.message).to.equal('the suite applied no Deployment loc/echo to cluster west'),
    );
    api.put(pod('echo-1'));
    const slow = { ...options({ east: api }), readyTimeoutMs: 50 };
    await runTestAction(scale({ cluster: 'east' }), new Map([['east', [deployment(1)]]]), slow).then(
      () => expect.fail('must time out'),
      (e: Error) => expect(e.message).to.match(/^Deployment loc\/echo on east at 0 pod\(s\): not ready after 0s; last seen: 1 pod\(s\), 1 ready, want 0$/),
    );
    expect(describeAction(scale({ namespace: undefined, cluster: 'east', replicas: 2 }), 'kconn-t1')).to.equal('scale Deployment kconn-t1/echo to 2 on east');
  });

  it('runs the tests without actions first, then each test with actions alone, in order; a failed action errors its test only', async () => {
    const test = (name: string, before?: TestAction[]): ConnectivityTest => ({
      type: 'connectivity', name, from: { selector: 'app=c' }, to: { kind: 'service', name: 'echo', port: 80 }, protocol: 'tcp',
      expect: { kind: 'connectivity', outcome: 'reachable' }, timeoutMs: 1000, attempts: 1, source: { file: 's.yaml', doc: 0, path: [] },
      ...(before ? { before } : {}),
    });
    const failover = test('failover', [scale({ cluster: 'east' })]);
    const broken = test('broken', [scale({ name: 'missing' })]);
    const expanded: ExpandedTest[] = [
      { name: 'failover [east]', test: failover, fromCluster: 'east', toCluster: 'east' },
      { name: 'plain', test: test('plain'), fromCluster: 'east', toCluster: 'east' },
      { name: 'failover [west]', test: failover, fromCluster: 'west', toCluster: 'west' },
      { name: 'broken', test: broken, fromCluster: 'east', toCluster: 'east' },
    ];
    const batches: string[][] = [];
    const execute = async (tests: readonly ExpandedTest[]): Promise<TestOutcome[]> => {
      batches.push(tests.map((t) => t.name));
      return tests.map((t) => ({ suite: 's', name: t.name, cluster: t.fromCluster, status: 'pass', durationMs: 1, attempts: 1, results: [] }));
    };
    const lines: string[] = [];
    const out = await runWithActions(expanded, new Map([['east', [deployment(1)]]]), options({ east: new MemoryKubeApi(), west: new MemoryKubeApi() }, lines), execute, 's');
    expect(batches).to.deep.equal([['plain'], ['failover [east]', 'failover [west]']]);
    expect(out.map((o) => [o.name, o.status])).to.deep.equal([['failover [east]', 'pass'], ['plain', 'pass'], ['failover [west]', 'pass'], ['broken', 'error']]);
    expect(out[3]!.message).to.equal("before: no Deployment loc/missing among the suite's manifests");
    expect(lines).to.include('s: before "failover": scale Deployment loc/echo to 0 on east');
  });
});
