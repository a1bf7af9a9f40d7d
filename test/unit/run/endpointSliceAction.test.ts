import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ConnectivityTest } from '../../../harness/model/suite.js';
import type { EndpointSliceAction } from '../../../harness/model/testAction.js';
import { endpointSliceFor, writeEndpointSlice } from '../../../harness/run/endpointSliceAction.js';
import { describeAction, runTestAction } from '../../../harness/run/testActions.js';
import { resolveTest } from '../../../harness/run/testResolution.js';
import { apiOnlyClusters, runOptionsFor } from '../../support/labCluster.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const service = (over: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'manual', namespace: 'loc', labels: { 'kconn.dev/run': 'r1', 'kconn.dev/suite': 's', team: 'x' } },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'udp', port: 81, targetPort: 8081, protocol: 'UDP' }], ...over },
  }) as KubernetesObject;
const pod = (name: string, ip: string, ready = true, labels: Record<string, string> = { app: 'echo' }): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'loc', labels },
    spec: { nodeName: 'kconn-main-worker', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }) as KubernetesObject;
const action = (over: Partial<EndpointSliceAction> = {}): EndpointSliceAction => ({ kind: 'endpointSlice', namespace: 'loc', name: 'manual', selector: 'app=echo', source: { file: 's.yaml', doc: 0, path: [] }, ...over });

describe('test actions: write the EndpointSlice of a Service without a selector', () => {
  it("one ready endpoint per pod, named after the Service, on its ports' numeric targetPorts, with kconn's labels", () => {
    expect(endpointSliceFor(service() as never, [{ name: 'echo-1', ip: '10.244.1.5', node: 'w1' }, { name: 'echo-2', ip: '10.244.2.6' }])).to.deep.equal({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'manual-kconn',
        namespace: 'loc',
        labels: { 'kubernetes.io/service-name': 'manual', 'endpointslice.kubernetes.io/managed-by': 'kconn.dev', 'kconn.dev/run': 'r1', 'kconn.dev/suite': 's' },
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.5'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'loc', name: 'echo-1' }, nodeName: 'w1' },
        { addresses: ['10.244.2.6'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'loc', name: 'echo-2' } },
      ],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'udp', port: 8081, protocol: 'UDP' },
      ],
    });
    const v6 = endpointSliceFor(service({ ports: [{ port: 80 }] }) as never, [{ name: 'e', ip: 'fd00::5' }]) as { addressType: string; ports: unknown[] };
    expect(v6.addressType).to.equal('IPv6');
    expect(v6.ports, 'no targetPort: the port itself, TCP').to.deep.equal([{ port: 80, protocol: 'TCP' }]);
  });

  it('refuses a Service with a selector, a named targetPort, no ports, or mixed address families, saying why', () => {
    const pods = [{ name: 'e', ip: '10.0.0.1' }];
    expect(endpointSliceFor(service({ selector: { app: 'echo' } }) as never, pods)).to.equal('Service loc/manual has a selector: the control plane writes its EndpointSlices; remove the selector to write your own');
    expect(endpointSliceFor(service({ ports: [{ port: 80, targetPort: 'http' }] }) as never, pods)).to.equal(
      'Service loc/manual port 80 has targetPort "http", a name: an EndpointSlice of a Service without a selector needs a number',
    );
    expect(endpointSliceFor(service({ ports: [] }) as never, pods)).to.equal('Service loc/manual has no ports');
    expect(endpointSliceFor(service() as never, [...pods, { name: 'f', ip: 'fd00::1' }])).to.equal('the pods for Service loc/manual have IPv4 and IPv6 addresses: one slice holds one family');
  });

  it('writes it from the ready pods on every cluster the suite applied the Service to, and registers its removal', async () => {
    const east = new MemoryKubeApi();
    const west = new MemoryKubeApi();
    east.put(pod('echo-1', '10.244.1.5'));
    east.put(pod('echo-2', '10.244.1.6', false));
    east.put(pod('other', '10.244.1.7', true, { app: 'other' }));
    west.put(pod('echo-9', '10.245.1.5'));
    const lines: string[] = [];
    const opts = runOptionsFor(apiOnlyClusters({ east, west }), { progress: (l) => lines.push(l) });
    await runTestAction(action(), new Map([['east', [service()]], ['west', [service()]]]), opts);
    const slice = (api: MemoryKubeApi) => (api.objects.get('EndpointSlice/loc/manual-kconn') as unknown as { endpoints: { addresses: string[] }[] }).endpoints.map((e) => e.addresses[0]);
    expect(slice(east), 'the not-ready pod and the pod of another app are left out').to.deep.equal(['10.244.1.5']);
    expect(slice(west)).to.deep.equal(['10.245.1.5']);
    expect(east.calls).to.include('apply (strict) EndpointSlice loc/manual-kconn');
    expect(lines).to.include('east: wrote EndpointSlice loc/manual-kconn (10.244.1.5)');
    expect(opts.cleanup.pending).to.deep.equal(['EndpointSlice loc/manual-kconn on east', 'EndpointSlice loc/manual-kconn on west']);
    await opts.cleanup.runAll();
    expect(east.objects.has('EndpointSlice/loc/manual-kconn'), 'removed with the run').to.equal(false);
  });

  it('a Service the suite did not apply, one with a selector, or no ready pod is an error naming it', async () => {
    const api = new MemoryKubeApi();
    const opts = runOptionsFor(apiOnlyClusters({ east: api }));
    const failure = (p: Promise<void>) => p.then(() => 'no error', (e: Error) => e.message);
    expect(await failure(writeEndpointSlice(action({ name: 'nope' }), new Map([['east', [service()]]]), opts))).to.equal("no Service loc/nope among the suite's manifests");
    expect(await failure(writeEndpointSlice(action({ cluster: 'west' }), new Map([['east', [service()]]]), opts))).to.equal('the suite applied no Service loc/manual to cluster west');
    expect(await failure(writeEndpointSlice(action(), new Map([['east', [service()]]]), opts))).to.equal('no ready pod matches app=echo in loc on cluster east: the EndpointSlice would be empty');
    api.put(pod('echo-1', '10.244.1.5'));
    expect(await failure(writeEndpointSlice(action(), new Map([['east', [service({ selector: { app: 'echo' } })]]]), opts))).to.match(/^Service loc\/manual has a selector/);
    expect(describeAction(action({ namespace: undefined, cluster: 'east' }), 'kconn-t1')).to.equal('write the EndpointSlice of Service kconn-t1/manual from the ready pods app=echo on east');
  });
});

describe('test resolution: backends of a Service without a selector, not-ready pod targets', () => {
  const spreadTest = (to: ConnectivityTest['to']): ConnectivityTest => ({
    type: 'connectivity',
    name: 't',
    from: { namespace: 'loc', selector: 'app=client' },
    to,
    protocol: 'http',
    expect: { kind: 'connectivity', outcome: 'reachable', answeredBy: { group: { by: 'pod' }, every: true, confidence: 0.999 } },
    requests: 10,
    timeoutMs: 1000,
    attempts: 1,
    source: { file: 's.yaml', doc: 0, path: [] },
  });
  function cluster() {
    const api = new MemoryKubeApi();
    api.put(pod('client-1', '10.244.1.2', true, { app: 'client' }));
    api.put(pod('echo-1', '10.244.1.5'));
    api.put(pod('echo-2', '10.244.1.6'));
    api.put(pod('echo-3', '10.244.1.7', false));
    api.put({ ...service(), spec: { ...(service() as { spec: object }).spec, clusterIP: '10.96.0.50' } } as KubernetesObject);
    return { api, opts: runOptionsFor(apiOnlyClusters({ main: api })) };
  }
  const expanded = (t: ConnectivityTest) => ({ name: t.name, test: t, fromCluster: 'main', toCluster: 'main' });
  const slice = (endpoints: unknown[]): KubernetesObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'manual-abc', namespace: 'loc', labels: { 'kubernetes.io/service-name': 'manual' } }, endpoints }) as KubernetesObject;

  it("counts the ready pods its EndpointSlices name (a not-ready endpoint is none of them)", async () => {
    const { api, opts } = cluster();
    api.put(slice([
      { addresses: ['10.244.1.5'], targetRef: { kind: 'Pod', name: 'echo-1' } },
      { addresses: ['10.244.1.6'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'echo-2' } },
    ]));
    const p = await resolveTest(expanded(spreadTest({ kind: 'service', namespace: 'loc', name: 'manual', port: 80, path: '/hostname' })), opts);
    expect(p.problem).to.equal(undefined);
    expect(p.targets).to.deep.equal(['10.96.0.50']);
    expect(p.backends).to.deep.equal([{ pod: 'echo-1', cluster: 'main', labels: { app: 'echo' } }]);
  });

  it('no slice gives no backend; an endpoint that names no pod cannot be counted', async () => {
    const { api, opts } = cluster();
    const t = expanded(spreadTest({ kind: 'service', namespace: 'loc', name: 'manual', port: 80, path: '/hostname' }));
    expect((await resolveTest(t, opts)).backends).to.deep.equal([]);
    api.put(slice([{ addresses: ['192.0.2.10'] }]));
    expect((await resolveTest(t, opts)).problem).to.equal('service loc/manual has no selector and its endpoint 192.0.2.10 names no pod of loc (targetRef) on cluster main: its answers cannot be counted');
  });

  it('answeredBy.backends: behind a proxy, the ready pods it names are the backends, not the proxy\'s own (for a host target too)', async () => {
    const { api, opts } = cluster();
    api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'gw', namespace: 'loc' }, spec: { clusterIP: '10.96.0.80', selector: { app: 'proxy' }, ports: [{ port: 443 }] } } as KubernetesObject);
    api.put(pod('proxy-1', '10.244.1.9', true, { app: 'proxy' }));
    const behind = (to: ConnectivityTest['to']): ConnectivityTest => {
      const t = spreadTest(to);
      return { ...t, expect: { ...t.expect, answeredBy: { ...t.expect.answeredBy!, backends: { namespace: 'loc', selector: 'app=echo' } } } };
    };
    const viaService = await resolveTest(expanded(behind({ kind: 'service', namespace: 'loc', name: 'gw', port: 443 })), opts);
    expect(viaService.targets).to.deep.equal(['10.96.0.80']);
    expect(viaService.backends?.map((b) => b.pod)).to.deep.equal(['echo-1', 'echo-2']);
    const viaHost = await resolveTest(expanded(behind({ kind: 'host', host: '172.18.0.200', port: 443 })), opts);
    expect(viaHost.targets).to.deep.equal(['172.18.0.200']);
    expect(viaHost.backends?.map((b) => b.pod)).to.deep.equal(['echo-1', 'echo-2']);
    const plainHost = await resolveTest(expanded(spreadTest({ kind: 'host', host: '172.18.0.200', port: 443 })), opts);
    expect(plainHost.problem).to.equal('a host target has no pods behind it to count: name them with expect.answeredBy.backends');
    const own = await resolveTest(expanded(spreadTest({ kind: 'service', namespace: 'loc', name: 'gw', port: 443 })), opts);
    expect(own.backends?.map((b) => b.pod), 'without backends: the pods behind the Service itself').to.deep.equal(['proxy-1']);
  });

  it('a pod target with notReady gets the running pods that are not ready, and says so when there are none', async () => {
    const { api, opts } = cluster();
    const t = (notReady: boolean): ConnectivityTest => ({
      ...spreadTest({ kind: 'pod', namespace: 'loc', selector: 'app=echo', port: 8080, ...(notReady ? { notReady: true as const } : {}) }),
      expect: { kind: 'connectivity', outcome: 'reachable' },
    });
    expect((await resolveTest(expanded(t(true)), opts)).targets).to.deep.equal(['10.244.1.7']);
    expect((await resolveTest(expanded(t(false)), opts)).targets).to.deep.equal(['10.244.1.5', '10.244.1.6']);
    api.objects.delete('Pod/loc/echo-3');
    expect((await resolveTest(expanded(t(true)), opts)).problem).to.equal('no running target pod that is not ready matches app=echo in loc on cluster main');
  });
});
