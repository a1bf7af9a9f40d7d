import { expect } from 'chai';
import { GATEWAY_API_VERSION, GATEWAY_CLASS, GATEWAY_PORTS, TRAEFIK_IMAGE, gatewayApiCrdsUrl, traefikObjects, traefikSteps } from '../../../harness/gateway/traefik.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('gateway: Traefik as the topology\'s Gateway API and Ingress controller', () => {
  const objects = traefikObjects('kconn/traefik:v3.6.12') as Obj[];
  const byKind = (kind: string): Obj => objects.find((o) => o['kind'] === kind)!;

  it('pins Traefik v3.6.12 and the Gateway API release its go.mod requires, from the release URL', () => {
    expect(TRAEFIK_IMAGE).to.equal('docker.io/library/traefik:v3.6.12');
    expect(GATEWAY_API_VERSION).to.equal('1.4.0');
    expect(gatewayApiCrdsUrl()).to.equal('https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/standard-install.yaml');
  });

  it('entry points are the listener ports, behind a Service on 80 and 443; both providers on, the Ingress one for class kconn', () => {
    const container = byKind('Deployment')['spec']['template']['spec']['containers'][0];
    expect(container.image).to.equal('kconn/traefik:v3.6.12');
    expect(container.args).to.include.members([
      '--entryPoints.web.address=:8000',
      '--entryPoints.websecure.address=:8443',
      '--entryPoints.websecure.http.tls=true',
      '--providers.kubernetesgateway=true',
      '--providers.kubernetesingress=true',
      '--providers.kubernetesingress.ingressclass=kconn',
    ]);
    expect(container.ports.map((p: Obj) => p['containerPort'])).to.deep.equal([GATEWAY_PORTS.http.listener, GATEWAY_PORTS.https.listener]);
    expect(byKind('Service')['spec']['ports'].map((p: Obj) => [p['port'], p['targetPort']])).to.deep.equal([[80, 8000], [443, 8443]]);
    expect(byKind('Service')['spec']['selector']).to.deep.equal(byKind('Deployment')['spec']['selector']['matchLabels']);
  });

  it("classes name Traefik's own controllers (pkg/provider/kubernetes/{gateway,ingress}/kubernetes.go)", () => {
    expect(byKind('GatewayClass')).to.deep.include({ apiVersion: 'gateway.networking.k8s.io/v1' });
    expect(byKind('GatewayClass')['metadata']['name']).to.equal(GATEWAY_CLASS);
    expect(byKind('GatewayClass')['spec']).to.deep.equal({ controllerName: 'traefik.io/gateway-controller' });
    expect(byKind('IngressClass')['spec']).to.deep.equal({ controller: 'traefik.io/ingress-controller' });
  });

  it('the account may read what both providers read and write their status, and nothing else', () => {
    const rules = byKind('ClusterRole')['rules'] as Obj[];
    const can = (group: string, resource: string, verb: string): boolean => rules.some((r) => r['apiGroups'].includes(group) && r['resources'].includes(resource) && r['verbs'].includes(verb));
    for (const r of ['gateways', 'httproutes', 'gatewayclasses', 'referencegrants']) expect(can('gateway.networking.k8s.io', r, 'watch'), r).to.equal(true);
    for (const r of ['gateways/status', 'httproutes/status', 'gatewayclasses/status']) expect(can('gateway.networking.k8s.io', r, 'update'), r).to.equal(true);
    expect(can('networking.k8s.io', 'ingresses', 'watch') && can('networking.k8s.io', 'ingresses/status', 'update')).to.equal(true);
    expect(can('', 'secrets', 'watch') && can('discovery.k8s.io', 'endpointslices', 'watch')).to.equal(true);
    expect(can('', 'nodes', 'list') && can('', 'nodes', 'watch'), "the Ingress provider's node informer").to.equal(true);
    expect(rules.flatMap((r) => r['verbs'] as string[]).filter((v) => !['get', 'list', 'watch', 'update'].includes(v))).to.deep.equal([]);
    const binding = byKind('ClusterRoleBinding');
    expect(binding['subjects']).to.deep.equal([{ kind: 'ServiceAccount', name: 'traefik', namespace: 'kconn-gateway' }]);
    expect(binding['roleRef']['name']).to.equal(byKind('ClusterRole')['metadata']['name']);
  });

  it('steps: the CRDs first (server-side), the image, the objects, then Traefik ready and the class accepted', () => {
    const steps = traefikSteps('kconn/traefik:v3.6.12');
    expect(steps.map((s) => s.action)).to.deep.equal(['apply', 'wait', 'load-images', ...objects.map(() => 'apply-object'), 'wait', 'wait']);
    expect(steps[0]).to.deep.include({ url: gatewayApiCrdsUrl(), serverSide: true });
    expect(steps[2]).to.deep.include({ images: ['kconn/traefik:v3.6.12'] });
    expect(steps.at(-1)).to.deep.include({ resource: 'gatewayclass', name: 'kconn', condition: 'Accepted' });
    expect(traefikSteps().find((s) => s.action === 'load-images')).to.deep.include({ images: [TRAEFIK_IMAGE] });
    expect(new Set(steps.map((s) => s.phase)), 'their time is the gateway install phase').to.deep.equal(new Set(['gateway install']));
  });
});
