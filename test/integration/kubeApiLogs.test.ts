import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeKubeApi } from '../../harness/kube/kubeApi.js';
import { FakeKubeApiServer } from '../support/fakeKubeApiServer.js';
import { kubeconfigFor } from '../support/fakeTools.js';

/** KubeApi.logs over real HTTP: the request client-node sends, the text that comes back, and the API's refusals. */
describe('Kubernetes API layer: container logs', () => {
  let server: FakeKubeApiServer;
  let api: ClientNodeKubeApi;

  beforeEach(async () => {
    server = new FakeKubeApiServer();
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(await server.start()));
    api = new ClientNodeKubeApi(kc);
    server.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns-abc', namespace: 'kube-system' } });
    server.podLogs.set('kube-system/coredns-abc/coredns', '[INFO] plugin/reload: Running configuration\n[INFO] 10.10.0.5:41234 - "A IN echo.demo. udp" NXDOMAIN\n[ERROR] plugin/errors: 2 read udp: i/o timeout\n');
  });
  afterEach(async () => server.stop());

  it('asks for one container and the last lines only, and returns the text as is', async () => {
    const text = await api.logs('kube-system', 'coredns-abc', 'coredns', 2);
    expect(text).to.equal('[INFO] 10.10.0.5:41234 - "A IN echo.demo. udp" NXDOMAIN\n[ERROR] plugin/errors: 2 read udp: i/o timeout\n');
    const request = server.requests.find((r) => r.path.endsWith('/log'))!;
    expect(request.method).to.equal('GET');
    expect(request.path).to.equal('/api/v1/namespaces/kube-system/pods/coredns-abc/log');
    expect(Object.fromEntries(new URLSearchParams(request.query))).to.deep.equal({ container: 'coredns', tailLines: '2' });
  });

  it("a missing pod or container fails with the API server's reason", async () => {
    const failure = (p: Promise<string>): Promise<string> => p.then((text) => `no error, got ${JSON.stringify(text)}`, (e: Error) => e.message);
    expect(await failure(api.logs('kube-system', 'gone', 'coredns', 10))).to.equal('logs of kube-system/gone (coredns): pods "gone" not found');
    expect(await failure(api.logs('kube-system', 'coredns-abc', 'sidecar', 10))).to.equal('logs of kube-system/coredns-abc (sidecar): container sidecar is not valid for pod coredns-abc');
  });
});
