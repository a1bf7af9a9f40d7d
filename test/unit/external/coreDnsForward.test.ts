import { expect } from 'chai';
import { COREFILE_ANNOTATION, forwardZoneToEndpoint } from '../../../harness/external/coreDnsForward.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const COREFILE = '.:53 {\n    errors\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n    reload\n}\n';
const corefile = (kube: MemoryKubeApi): string | undefined =>
  (kube.objects.get('ConfigMap/kube-system/coredns') as { data?: Record<string, string> } | undefined)?.data?.['Corefile'];

describe('CoreDNS forward of kconn.test to the external endpoint', () => {
  it('appends the stanza to the Corefile and restores it byte for byte', async () => {
    const kube = new MemoryKubeApi();
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: COREFILE } } as never);
    const forward = await forwardZoneToEndpoint(kube, '172.18.0.9');
    expect(corefile(kube)).to.match(/^\.:53 \{/).and.contain('kconn.test:53 {\n    errors\n    cache 30\n    forward . 172.18.0.9\n}');
    expect(kube.calls).to.deep.equal(['get ConfigMap kube-system/coredns', 'apply ConfigMap kube-system/coredns', 'apply Deployment kube-system/coredns']);
    const restart = kube.objects.get('Deployment/kube-system/coredns') as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    const hash = restart.spec.template.metadata.annotations[COREFILE_ANNOTATION];
    expect(hash, 'the pod template changes with the Corefile: a rolling restart that reads it at once').to.match(/^[0-9a-f]{16}$/);
    const other = await forwardZoneToEndpoint(kube, '172.18.0.10');
    expect((kube.objects.get('Deployment/kube-system/coredns') as typeof restart).spec.template.metadata.annotations[COREFILE_ANNOTATION]).to.not.equal(hash);
    await other.restore();
    kube.calls.length = 0;
    await forward.restore();
    await forward.restore();
    expect(corefile(kube)).to.equal(COREFILE);
    expect(kube.calls.filter((c) => c.includes('Deployment')), 'no restart for a cluster about to go').to.deep.equal([]);
  });

  it('keeps changes others made meanwhile, and writes nothing when the stanza is already gone', async () => {
    const kube = new MemoryKubeApi();
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: COREFILE } } as never);
    const forward = await forwardZoneToEndpoint(kube, '172.18.0.9');
    const edited = `${corefile(kube)!}example.org:53 {\n    forward . 10.0.0.53\n}\n`;
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: edited } } as never);
    await forward.restore();
    expect(corefile(kube)).to.equal(`${COREFILE}example.org:53 {\n    forward . 10.0.0.53\n}\n`);

    const again = await forwardZoneToEndpoint(kube, '172.18.0.9');
    kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: COREFILE } } as never);
    kube.calls.length = 0;
    await again.restore();
    expect(kube.calls).to.deep.equal(['get ConfigMap kube-system/coredns']);
  });

  it('a cluster without the coredns ConfigMap is refused before anything is written', async () => {
    const kube = new MemoryKubeApi();
    let error: Error | undefined;
    await forwardZoneToEndpoint(kube, '172.18.0.9').catch((e: Error) => (error = e));
    expect(error?.message).to.match(/kube-system\/coredns has no Corefile/);
    expect(kube.calls.filter((c) => c.startsWith('apply'))).to.deep.equal([]);
  });
});
