import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { load } from 'js-yaml';
import { istio } from '../../../harness/mesh/istio.js';
import { ipv4SubnetOf, metallbPool } from '../../../harness/mesh/istio/runtime.js';
import { parseCidr } from '../../../harness/model/cidr.js';
import type { MeshRuntime } from '../../../harness/mesh/meshProvider.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function runtime(cluster: string, apis: Record<string, MemoryKubeApi>, workDir = '/nowhere'): MeshRuntime {
  const addresses: Record<string, string> = { east: '172.18.0.2', west: '172.18.0.5' };
  return { cluster, kube: (c) => apis[c]!, address: (c) => addresses[c]!, workDir, signal: new AbortController().signal };
}

const lbService = (ingress: unknown[], type = 'LoadBalancer'): KubernetesObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system' }, spec: { type }, status: { loadBalancer: { ingress } } }) as KubernetesObject;

describe('Istio at run time: readiness checks and computed objects', () => {
  const check = (name: string) => istio.checks![name]!;
  const compute = (name: string) => istio.compute![name]!;

  it('waits for the east-west gateway to get a LoadBalancer address, and gives up on a Service that never will', async () => {
    const api = new MemoryKubeApi();
    const rt = runtime('east', { east: api });
    const input = { namespace: 'istio-system', service: 'istio-eastwestgateway' };
    expect(await check('load-balancer-address')(input, rt)).to.deep.equal({ ready: false, detail: 'Service istio-system/istio-eastwestgateway does not exist yet' });
    api.put(lbService([]));
    expect(await check('load-balancer-address')(input, rt)).to.deep.equal({ ready: false, detail: 'Service istio-system/istio-eastwestgateway has no LoadBalancer address yet (EXTERNAL-IP pending)' });
    api.put(lbService([{ ip: '172.18.236.192' }]));
    expect(await check('load-balancer-address')(input, rt)).to.deep.equal({ ready: true, detail: 'Service istio-system/istio-eastwestgateway has LoadBalancer address 172.18.236.192' });
    api.put(lbService([], 'NodePort'));
    expect(await check('load-balancer-address')(input, rt)).to.deep.include({ ready: false, failed: true });
  });

  it('waits for the reader token to be issued', async () => {
    const api = new MemoryKubeApi();
    const rt = runtime('east', { east: api });
    const input = { namespace: 'istio-system', secret: 'istio-reader-service-account-istio-remote-secret-token' };
    expect((await check('service-account-token')(input, rt)).ready).to.equal(false);
    api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: input.secret, namespace: 'istio-system' }, data: {} } as KubernetesObject);
    expect(await check('service-account-token')(input, rt)).to.deep.equal({ ready: false, detail: `Secret istio-system/${input.secret} has no token yet` });
    api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: input.secret, namespace: 'istio-system' }, data: { token: b64('t'), 'ca.crt': b64('c') } } as KubernetesObject);
    expect((await check('service-account-token')(input, rt)).ready).to.equal(true);
  });

  it("builds west's remote secret for east from west's token, CA and kind-network address (never 127.0.0.1)", async () => {
    const east = new MemoryKubeApi();
    const west = new MemoryKubeApi();
    west.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'istio-reader-service-account-istio-remote-secret-token', namespace: 'istio-system' },
      data: { token: b64('west-token'), 'ca.crt': b64('WEST CA') },
    } as KubernetesObject);
    const [secret] = await compute('remote-secret')({ source: 'west' }, runtime('east', { east, west }));
    const s = secret as { metadata: { name: string; labels: object; annotations: object }; data: Record<string, string> };
    expect(s.metadata.name).to.equal('istio-remote-secret-west');
    expect(s.metadata.labels).to.deep.equal({ 'istio/multiCluster': 'true' });
    expect(s.metadata.annotations).to.deep.equal({ 'networking.istio.io/cluster': 'west' });
    const kubeconfig = load(unb64(s.data['west']!)) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] };
    expect(kubeconfig.clusters[0]!.cluster.server).to.equal('https://172.18.0.5:6443');
    expect(unb64(kubeconfig.clusters[0]!.cluster['certificate-authority-data'])).to.equal('WEST CA');
    expect(kubeconfig.users[0]!.user.token).to.equal('west-token');
    expect(east.calls).to.deep.equal([]);
  });

  it('says which token is missing when the source cluster has none', async () => {
    const err = await compute('remote-secret')({ source: 'west' }, runtime('east', { east: new MemoryKubeApi(), west: new MemoryKubeApi() })).catch((e: Error) => e);
    expect(String(err)).to.equal('Error: Secret istio-system/istio-reader-service-account-istio-remote-secret-token of cluster west does not exist');
  });

  it("hands each cluster the cacerts secret of its own intermediate, under the run's one root", async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(join(tmpdir(), 'kconn-istio-rt-'));
    try {
      const input = { runId: 'ab12cd', dir: join(dir, 'mesh-ca'), clusters: ['east', 'west'] };
      const [east] = await compute('cacerts')(input, runtime('east', {}));
      const [west] = await compute('cacerts')(input, runtime('west', {}));
      const data = (o: unknown) => (o as { data: Record<string, string> }).data;
      expect((east as { metadata: object }).metadata).to.deep.equal({ name: 'cacerts', namespace: 'istio-system' });
      expect(Object.keys(data(east)).sort()).to.deep.equal(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
      expect(data(east)['root-cert.pem']).to.equal(data(west)['root-cert.pem']);
      const root = new X509Certificate(unb64(data(east)['root-cert.pem']!));
      for (const [name, o] of [['east', east], ['west', west]] as const) {
        const ca = new X509Certificate(unb64(data(o)['ca-cert.pem']!));
        expect(ca.checkIssued(root) && ca.verify(root.publicKey), name).to.equal(true);
        expect(ca.subject).to.include(`L=${name}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives the step's cluster its MetalLB slice from the subnet Docker reports at run time", async () => {
    const pool = metallbPool(async () => '172.18.0.0/16');
    const input = { clusters: ['east', 'west'], seed: 'kconn-ab12cd-east,kconn-ab12cd-west' };
    const [eastPool] = await pool(input, runtime('east', {}));
    const [westPool, westAd] = await pool(input, runtime('west', {}));
    const range = (o: unknown) => (o as { spec: { addresses: string[] } }).spec.addresses[0];
    expect(range(eastPool)).to.not.equal(range(westPool));
    expect(westAd).to.deep.include({ kind: 'L2Advertisement', spec: { ipAddressPools: ['kconn-west'] } });
    const small = await metallbPool(async () => '10.0.0.0/28')(input, runtime('east', {})).catch((e: Error) => e.message);
    expect(small).to.match(/too small for MetalLB/);
  });

  it("reads the kind network's IPv4 subnet from Docker's IPAM config, whatever comes first", () => {
    const v4 = (s: string) => parseCidr(s).ok;
    expect(ipv4SubnetOf('[{"Subnet":"fc00:f853:ccd:e793::/64"},{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]', v4)).to.equal('172.18.0.0/16');
    expect(() => ipv4SubnetOf('[{"Subnet":"fc00:f853:ccd:e793::/64"}]', v4)).to.throw("the kind Docker network has no IPv4 subnet (fc00:f853:ccd:e793::/64): MetalLB's slices are IPv4");
    expect(() => ipv4SubnetOf('Error: No such network: kind', v4)).to.throw('printed no IPAM config');
  });

  it("waits for MetalLB's webhook to answer: every webhook has its CA, and the Service it calls a ready endpoint", async () => {
    const api = new MemoryKubeApi();
    const rt = runtime('east', { east: api });
    const input = { configuration: 'metallb-webhook-configuration' };
    const hook = (caBundle?: string) => ({ name: 'ipaddresspoolvalidationwebhook.metallb.io', clientConfig: { ...(caBundle ? { caBundle } : {}), service: { name: 'metallb-webhook-service', namespace: 'metallb-system' } } });
    const config = (...webhooks: unknown[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: input.configuration }, webhooks }) as KubernetesObject;
    const slice = (ready: boolean) =>
      ({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'metallb-webhook-service-x1', namespace: 'metallb-system', labels: { 'kubernetes.io/service-name': 'metallb-webhook-service' } },
        endpoints: [{ addresses: ['10.30.0.5'], conditions: { ready } }],
      }) as KubernetesObject;
    const look = () => check('webhook-answers')(input, rt);
    expect(await look()).to.deep.equal({ ready: false, detail: 'ValidatingWebhookConfiguration metallb-webhook-configuration does not exist yet' });
    api.put(config(hook('Q0E='), hook()));
    expect(await look()).to.deep.equal({ ready: false, detail: 'metallb-webhook-configuration: 1 of 2 webhook(s) without their CA yet' });
    api.put(config(hook('Q0E='), hook('Q0E=')));
    api.put(slice(false));
    expect(await look()).to.deep.equal({ ready: false, detail: 'metallb-webhook-configuration: every webhook has its CA; Service metallb-system/metallb-webhook-service has 0 ready endpoint(s) of 1' });
    api.put(slice(true));
    expect((await look()).ready).to.equal(true);
    expect(api.calls.at(-1)).to.equal('list EndpointSlice metallb-system kubernetes.io/service-name=metallb-webhook-service');
  });
});
