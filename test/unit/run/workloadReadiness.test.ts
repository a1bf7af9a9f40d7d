import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { workloadsReady } from '../../../harness/run/workloadReadiness.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const deployment = (name: string, labels: Record<string, string>): KubernetesObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ns', generation: 1 }, spec: { replicas: 1, template: { metadata: { labels } } }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }) as KubernetesObject;
const service = (name: string, selector: Record<string, string>): KubernetesObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { selector } }) as KubernetesObject;
const slice = (svc: string): KubernetesObject =>
  ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svc}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } }, endpoints: [{ conditions: { ready: true } }] }) as KubernetesObject;

describe('workloads ready before a suite probes', () => {
  it('waits for the endpoints of a Service that selects pods of the same manifests', async () => {
    const api = new MemoryKubeApi();
    const objects = [deployment('echo', { app: 'echo', version: 'v1' }), service('echo', { app: 'echo' })];
    for (const o of objects) api.put(o);
    expect(await workloadsReady(api, objects)).to.deep.equal({ ready: false, detail: 'service ns/echo: 0 ready endpoint(s)' });
    api.put(slice('echo'));
    expect((await workloadsReady(api, objects)).ready).to.equal(true);
  });

  it('does not wait for a Service that selects none of them: no endpoints on purpose, or its pods in another cluster of a mesh', async () => {
    const api = new MemoryKubeApi();
    const objects = [deployment('echo', { app: 'echo' }), service('no-endpoints', { app: 'nothing-has-this-label' }), service('echo-failover', { app: 'echo-failover' })];
    for (const o of objects) api.put(o);
    expect(await workloadsReady(api, objects)).to.deep.equal({ ready: true, detail: 'all workloads ready' });
    expect(api.calls.filter((c) => c.startsWith('list EndpointSlice'))).to.deep.equal([]);
  });

  it('a Pod annotated kconn.dev/expect-ready: "false" is waited for until it runs with its containers started, not until ready', async () => {
    const api = new MemoryKubeApi();
    const pod = (annotated: boolean, status: object): KubernetesObject =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-unready', namespace: 'ns', ...(annotated ? { annotations: { 'kconn.dev/expect-ready': 'false' } } : {}) }, status }) as KubernetesObject;
    const notReady = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'server', started: true }, { name: 'side', started: true }] };
    api.put(pod(true, notReady));
    expect(await workloadsReady(api, [pod(true, {})])).to.deep.equal({ ready: true, detail: 'all workloads ready' });
    expect(await workloadsReady(api, [pod(false, {})]), 'without the annotation: waited for until ready').to.deep.equal({ ready: false, detail: '0/1 pods ready' });
    api.put(pod(true, { ...notReady, containerStatuses: [{ name: 'server', started: true }, { name: 'side', started: false }] }));
    expect(await workloadsReady(api, [pod(true, {})])).to.deep.equal({ ready: false, detail: 'pod ns/echo-unready: Running, 1/2 containers started (not expected to be ready)' });
    api.put(pod(true, { phase: 'Pending' }));
    expect((await workloadsReady(api, [pod(true, {})])).ready, 'pending, no container status').to.equal(false);
    api.objects.clear();
    expect(await workloadsReady(api, [pod(true, {})])).to.deep.equal({ ready: false, detail: 'pod ns/echo-unready: absent, 0/0 containers started (not expected to be ready)' });
  });
});

describe('Gateway API objects ready before a suite probes', () => {
  const gw = (conditions: unknown[]): KubernetesObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'ns' }, spec: {}, status: { conditions } }) as KubernetesObject;
  const route = (parents: unknown[]): KubernetesObject =>
    ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'app', namespace: 'ns' },
      spec: { parentRefs: [{ name: 'web', sectionName: 'https' }] },
      status: { parents },
    }) as KubernetesObject;
  const accepted = (sectionName: string, resolved = 'True') => ({
    parentRef: { name: 'web', sectionName },
    conditions: [{ type: 'Accepted', status: 'True' }, { type: 'ResolvedRefs', status: resolved, reason: resolved === 'True' ? 'ResolvedRefs' : 'BackendNotFound', message: 'service web-x not found' }],
  });

  it('a Gateway until its controller says Programmed', async () => {
    const api = new MemoryKubeApi();
    api.put(gw([]));
    expect(await workloadsReady(api, [gw([])])).to.deep.equal({ ready: false, detail: 'Gateway ns/web Programmed: not reported yet' });
    api.put(gw([{ type: 'Programmed', status: 'True' }]));
    expect((await workloadsReady(api, [gw([])])).ready).to.equal(true);
  });

  it('an HTTPRoute until every Gateway listener it names accepted it with its backends resolved', async () => {
    const api = new MemoryKubeApi();
    api.put(route([]));
    expect((await workloadsReady(api, [route([])])).detail).to.equal('HTTPRoute ns/app: not reported by Gateway web/https yet');
    api.put(route([accepted('http')]));
    expect((await workloadsReady(api, [route([])])).detail, 'another listener does not count').to.equal('HTTPRoute ns/app: not reported by Gateway web/https yet');
    api.put(route([accepted('https', 'False')]));
    expect((await workloadsReady(api, [route([])])).detail).to.equal('HTTPRoute ns/app on web/https: ResolvedRefs False (BackendNotFound: service web-x not found)');
    api.put(route([accepted('https')]));
    expect(await workloadsReady(api, [route([])])).to.deep.equal({ ready: true, detail: 'all workloads ready' });
  });
});
