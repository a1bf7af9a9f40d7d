import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { nodePortTargets } from '../../../harness/run/nodePortTargets.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

/** A kind cluster of three nodes, a NodePort Service, and its EndpointSlices (as the API server returns them). */
function cluster(endpoints: { nodeName?: string; ready?: boolean }[]): MemoryKubeApi {
  const api = new MemoryKubeApi();
  const node = (name: string, ip: string): KubernetesObject =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } }) as never;
  api.put(node('k-control-plane', '172.18.0.2'));
  api.put(node('k-worker', '172.18.0.3'));
  api.put(node('k-worker2', '172.18.0.4'));
  api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'no-address' }, status: { addresses: [{ type: 'Hostname', address: 'x' }] } } as never);
  api.put({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo-local', namespace: 'tp' },
    spec: { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 8080, nodePort: 30080, protocol: 'TCP' }, { port: 9090, nodePort: 30090 }] },
  } as never);
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'plain', namespace: 'tp' }, spec: { type: 'ClusterIP', ports: [{ port: 8080 }] } } as never);
  api.put({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'echo-local-abc', namespace: 'tp', labels: { 'kubernetes.io/service-name': 'echo-local' } },
    endpoints: endpoints.map((e) => ({ addresses: ['10.244.1.5'], ...(e.nodeName ? { nodeName: e.nodeName } : {}), ...(e.ready !== undefined ? { conditions: { ready: e.ready } } : {}) })),
  } as never);
  api.put({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'other-xyz', namespace: 'tp', labels: { 'kubernetes.io/service-name': 'other' } },
    endpoints: [{ addresses: ['10.244.2.5'], nodeName: 'k-worker2' }],
  } as never);
  return api;
}

describe('nodePortTargets: node addresses and the nodePort of a Service', () => {
  it('all: every node with an InternalIP, on the nodePort of the Service port asked for', async () => {
    const api = cluster([{ nodeName: 'k-worker' }]);
    expect(await nodePortTargets(api, 'tp', 'echo-local', 9090, 'all')).to.deep.equal({
      port: 30090,
      nodes: [{ name: 'k-control-plane', address: '172.18.0.2' }, { name: 'k-worker', address: '172.18.0.3' }, { name: 'k-worker2', address: '172.18.0.4' }],
    });
    expect(api.calls, 'no EndpointSlice read when every node is wanted').to.deep.equal(['get Service tp/echo-local', 'list Node']);
  });

  it('withEndpoints / withoutEndpoints split the nodes by the ready endpoints of this Service only', async () => {
    const api = cluster([{ nodeName: 'k-worker', ready: true }, { nodeName: 'k-control-plane', ready: false }]);
    expect(await nodePortTargets(api, 'tp', 'echo-local', 8080, 'withEndpoints')).to.deep.equal({ port: 30080, nodes: [{ name: 'k-worker', address: '172.18.0.3' }] });
    expect(await nodePortTargets(api, 'tp', 'echo-local', 8080, 'withoutEndpoints')).to.deep.equal({
      port: 30080,
      nodes: [{ name: 'k-control-plane', address: '172.18.0.2' }, { name: 'k-worker2', address: '172.18.0.4' }],
    });
    expect(api.calls).to.include('list EndpointSlice tp kubernetes.io/service-name=echo-local');
  });

  it('nodes without status or name, and slices without endpoints, are passed over', async () => {
    const api = cluster([{ nodeName: 'k-worker' }]);
    api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'fresh' } } as never);
    api.put({ apiVersion: 'v1', kind: 'Node', status: { addresses: [{ type: 'InternalIP', address: '172.18.0.9' }] }, metadata: {} } as never);
    api.put({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'echo-local-empty', namespace: 'tp', labels: { 'kubernetes.io/service-name': 'echo-local' } } } as never);
    expect(await nodePortTargets(api, 'tp', 'echo-local', 8080, 'withEndpoints')).to.deep.equal({ port: 30080, nodes: [{ name: 'k-worker', address: '172.18.0.3' }] });
  });

  it('an endpoint without conditions is ready (the API says nil means true)', async () => {
    const api = cluster([{ nodeName: 'k-worker2' }]);
    expect(await nodePortTargets(api, 'tp', 'echo-local', 8080, 'withEndpoints')).to.deep.equal({ port: 30080, nodes: [{ name: 'k-worker2', address: '172.18.0.4' }] });
  });

  it('nothing to probe is a problem, never an empty pass', async () => {
    expect(await nodePortTargets(cluster([]), 'tp', 'echo-local', 8080, 'withEndpoints')).to.deep.equal({ problem: 'no node runs a ready endpoint of service tp/echo-local' });
    const everywhere = cluster([{ nodeName: 'k-control-plane' }, { nodeName: 'k-worker' }, { nodeName: 'k-worker2' }]);
    expect(await nodePortTargets(everywhere, 'tp', 'echo-local', 8080, 'withoutEndpoints')).to.deep.equal({
      problem: 'every node runs a ready endpoint of service tp/echo-local: no node without one to probe',
    });
    expect(await nodePortTargets(cluster([]), 'tp', 'missing', 8080, 'all')).to.deep.equal({ problem: 'service tp/missing not found' });
    expect(await nodePortTargets(cluster([]), 'tp', 'plain', 8080, 'all')).to.deep.equal({
      problem: 'service tp/plain has no nodePort for port 8080 (type ClusterIP; NodePort or LoadBalancer has one)',
    });
    expect(await nodePortTargets(cluster([]), 'tp', 'echo-local', 7070, 'all')).to.have.property('problem').that.contains('no nodePort for port 7070');
    const odd = cluster([]);
    odd.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-spec', namespace: 'tp' } } as never);
    odd.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'no-ports', namespace: 'tp' }, spec: { type: 'NodePort' } } as never);
    odd.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'untyped', namespace: 'tp' }, spec: { ports: [{ port: 8080 }] } } as never);
    expect(await nodePortTargets(odd, 'tp', 'no-spec', 8080, 'all')).to.deep.equal({ problem: 'service tp/no-spec has no nodePort for port 8080 (type ClusterIP; NodePort or LoadBalancer has one)' });
    expect(await nodePortTargets(odd, 'tp', 'no-ports', 8080, 'all')).to.deep.equal({ problem: 'service tp/no-ports has no nodePort for port 8080 (type NodePort; NodePort or LoadBalancer has one)' });
    expect(await nodePortTargets(odd, 'tp', 'untyped', 8080, 'all')).to.have.property('problem').that.contains('(type ClusterIP;');
    const bare = new MemoryKubeApi();
    bare.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'tp' }, spec: { ports: [{ port: 1, nodePort: 30001 }] } } as never);
    expect(await nodePortTargets(bare, 'tp', 's', 1, 'all')).to.deep.equal({ problem: 'no node with an InternalIP address' });
  });
});
