import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeKubeApi } from '../../harness/kube/kubeApi.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { kubeconfigFor } from '../support/fakeTools.js';

/** kconn's API layer over real HTTP (a fake API server): what goes on the wire, and how absence is read. */
describe('Kubernetes API layer (client-node over HTTP)', () => {
  let server: FakeKubeApiServer;
  let api: ClientNodeKubeApi;

  beforeEach(async () => {
    server = new FakeKubeApiServer();
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(await server.start()));
    api = new ClientNodeKubeApi(kc);
  });
  afterEach(async () => server.stop());

  it('server-side apply sends the object exactly as written (NetworkPolicy `from` survives)', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'echo-allow', namespace: 'demo' },
      spec: { podSelector: { matchLabels: { app: 'echo' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'allowed' } } }] }] },
    };
    await api.apply(policy, { strict: true });
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).to.equal('/apis/networking.k8s.io/v1/namespaces/demo/networkpolicies/echo-allow');
    expect(patch.contentType).to.equal('application/apply-patch+yaml');
    expect(new URLSearchParams(patch.query).get('fieldManager')).to.equal('kconn');
    expect(new URLSearchParams(patch.query).get('force')).to.equal('true');
    expect(new URLSearchParams(patch.query).get('fieldValidation'), 'a misspelt field in a suite manifest fails the apply').to.equal('Strict');
    expect(JSON.parse(patch.body)).to.deep.equal(policy);
  });

  it('a CRD keeps its x-kubernetes-* schema keywords (Calico operator CRDs need them)', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.kconn.dev' },
      spec: {
        group: 'example.kconn.dev',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Cluster',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: {} } } } } }],
      },
    };
    await api.apply(crd);
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(JSON.parse(patch.body)).to.deep.equal(crd);
    expect(new URLSearchParams(patch.query).has('fieldValidation'), "upstream manifests keep the server's default").to.equal(false);
  });

  it('reads an object, and a missing one (or an unknown kind) as undefined', async () => {
    server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'demo' }, spec: { clusterIP: '10.110.0.9' } });
    const svc = (await api.get('v1', 'Service', 'echo', 'demo')) as { spec?: { clusterIP?: string } };
    expect(svc.spec?.clusterIP).to.equal('10.110.0.9');
    expect(await api.get('v1', 'Service', 'nope', 'demo')).to.equal(undefined);
    expect(await api.get('crd.projectcalico.org/v1', 'IPPool', 'default')).to.equal(undefined);
    expect(await api.list('crd.projectcalico.org/v1', 'IPPool')).to.deep.equal([]);
  });

  it('lists with a label selector, and deleting something already gone is fine', async () => {
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'demo', labels: { app: 'client' } } });
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'demo', labels: { app: 'echo' } } });
    expect((await api.list('v1', 'Pod', 'demo', 'app=client')).map((p) => p.metadata?.name)).to.deep.equal(['a']);
    await api.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'demo' } });
    await api.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'demo' } });
    expect(server.find('Pod', 'a', 'demo')).to.equal(undefined);
  });
});
