import { expect } from 'chai';
import type { TruthTable } from '../../../harness/model/suite.js';
import { truthTableObjects, truthTableTestNames } from '../../../harness/run/truthTableRun.js';

const table: TruthTable = {
  namespaces: [
    { name: 'x', labels: { ns: 'x' }, pods: [{ name: 'a', labels: { pod: 'a' } }] },
    { name: 'y', labels: {}, pods: [{ name: 'a', labels: { pod: 'a' } }] },
  ],
  ports: [{ port: 80, protocol: 'TCP' }, { port: 81, protocol: 'UDP' }, { port: 82, protocol: 'SCTP' }],
  policies: [{
    namespace: 'x', name: 'allow-y', path: '/p.yaml', declaredPath: 'p.yaml', source: { file: 'p.yaml', doc: 0, path: [] },
    object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-y', namespace: 'x' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] } },
  }],
  source: { file: 's.yaml', doc: 0, path: [] },
};

describe('truth table objects and cells', () => {
  it('namespaces under run names with their labels, pods serving every port by name, the policy rewritten', () => {
    const objects = truthTableObjects(table, 'kconn-ab12cd', { client: 'netshoot', server: 'agnhost' });
    expect(objects.map((o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)).to.deep.equal([
      'Namespace /kconn-ab12cd-x', 'Namespace /kconn-ab12cd-y', 'Pod kconn-ab12cd-x/a', 'Pod kconn-ab12cd-y/a', 'NetworkPolicy kconn-ab12cd-x/allow-y',
    ]);
    expect(objects[0]!.metadata!.labels).to.deep.equal({ ns: 'x' });
    const pod = objects[2] as unknown as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: { name: string; image: string; args?: string[]; ports?: unknown[] }[] } };
    expect(pod.metadata.labels).to.deep.equal({ pod: 'a', 'kconn.dev/truth-pod': 'a' });
    expect(pod.metadata.annotations).to.deep.equal({ 'kconn.dev/probe-container': 'probe' });
    expect(pod.spec.containers.map((c) => [c.name, c.image, c.args?.join(' ') ?? '', JSON.stringify(c.ports ?? [])])).to.deep.equal([
      ['serve-80-tcp', 'agnhost', 'serve-hostname --tcp --http=false --port 80', '[{"name":"serve-80-tcp","containerPort":80,"protocol":"TCP"}]'],
      ['serve-81-udp', 'agnhost', 'serve-hostname --udp --http=false --port 81', '[{"name":"serve-81-udp","containerPort":81,"protocol":"UDP"}]'],
      ['serve-82-sctp', 'agnhost', 'porter', '[{"name":"serve-82-sctp","containerPort":82,"protocol":"SCTP"}]'],
      ['probe', 'netshoot', '', '[]'],
    ]);
    expect((pod.spec.containers[2] as { env?: unknown }).env).to.deep.equal([{ name: 'SERVE_SCTP_PORT_82', value: 'foo' }]);
    const policy = objects[4] as unknown as { spec: { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[] } };
    expect(policy.spec.ingress[0]!.from[0]!.namespaceSelector.matchLabels).to.deep.equal({ 'kubernetes.io/metadata.name': 'kconn-ab12cd-y' });
  });

  it('one test per ordered pair of different pods and port; SCTP cells last (skipped); per cluster when there are several', () => {
    const names = truthTableTestNames(table, ['main']).map((t) => t.name);
    expect(names).to.deep.equal(['x/a -> y/a 80/TCP', 'y/a -> x/a 80/TCP', 'x/a -> y/a 81/UDP', 'y/a -> x/a 81/UDP', 'x/a -> y/a 82/SCTP', 'y/a -> x/a 82/SCTP']);
    const two = truthTableTestNames(table, ['east', 'west']);
    expect(two).to.have.length(12);
    expect(two[0]).to.deep.equal({ name: 'x/a -> y/a 80/TCP [east]', cluster: 'east' });
    expect(two[6]).to.deep.equal({ name: 'x/a -> y/a 80/TCP [west]', cluster: 'west' });
  });
});
