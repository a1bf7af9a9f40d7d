import { expect } from 'chai';
import { load } from 'js-yaml';
import { istio } from '../../../harness/mesh/istio.js';
import type { MeshCluster, MeshContext } from '../../../harness/mesh/meshProvider.js';
import type { MeshStep } from '../../../harness/model/plan.js';
import { crossNetworkGateway, remoteKubeconfig, remoteSecret } from '../../../harness/mesh/istio/objects.js';

function cluster(name: string, extra: Partial<MeshCluster> = {}): MeshCluster {
  return {
    name,
    kindName: `kconn-ab12cd-${name}`,
    cni: 'kindnet',
    podSubnet: '',
    serviceSubnet: '',
    kubeProxyMode: 'iptables',
    workers: 1,
    kubeconfig: `/run/${name}/kubeconfig`,
    internalKubeconfig: `/run/${name}/kubeconfig-internal`,
    ...extra,
  };
}

function ctx(options: Record<string, unknown> = {}, extra: Partial<MeshContext> = {}): MeshContext {
  return { clusters: [cluster('east'), cluster('west')], version: '1.30.5', options, workDir: '/run/multicluster', ...extra };
}

const on = (steps: MeshStep[], c: string) => steps.filter((s) => s.cluster === c);
const helm = (steps: MeshStep[], release: string) => steps.find((s) => s.action === 'helm-install' && s.release === release);

describe('Istio: multi-primary, multi-network steps', () => {
  const steps = istio.steps(ctx({}, { kindNetwork: '172.18.0.0/16' }));

  it('installs every cluster in the same order: MetalLB, locality, istio-system, cacerts, charts, gateway, token', () => {
    const kinds = (c: string) => on(steps, c).map((s) => (s.action === 'apply-computed' || s.action === 'poll' ? `${s.action}:${'compute' in s ? s.compute : s.check}` : s.action === 'helm-install' ? `helm:${s.release}` : s.action));
    const expected = [
      'apply', 'wait', 'wait', 'poll:webhook-answers', 'apply-object', 'apply-object', 'label', 'label',
      'apply-object', 'apply-computed:cacerts', 'helm:istio-base', 'helm:istiod', 'wait',
      'helm:istio-eastwestgateway', 'wait', 'poll:load-balancer-address', 'apply-object', 'apply-object', 'poll:service-account-token',
      'apply-computed:remote-secret',
    ];
    expect(kinds('east')).to.deep.equal(expected);
    expect(kinds('west')).to.deep.equal(expected);
  });

  it('joins only once every cluster is installed: the remote secrets come last, one per ordered pair', () => {
    const remote = steps.filter((s) => s.action === 'apply-computed' && s.compute === 'remote-secret');
    expect(steps.slice(-2)).to.deep.equal(remote);
    expect(remote.map((s) => [s.cluster, s.action === 'apply-computed' && s.input['source']])).to.deep.equal([['east', 'west'], ['west', 'east']]);
    expect(remote[0]).to.deep.include({
      input: {
        source: 'west',
        secret: 'istio-system/istio-remote-secret-west',
        server: '{server:west}',
        token: '<istio-system/istio-reader-service-account-istio-remote-secret-token of west: never printed>',
      },
    });
  });

  it('gives each cluster the same mesh, its own cluster name and network (Helm values)', () => {
    for (const c of ['east', 'west']) {
      const istiod = helm(on(steps, c), 'istiod');
      expect(istiod).to.deep.include({
        repo: 'https://istio-release.storage.googleapis.com/charts',
        chart: 'istiod',
        version: '1.30.5',
        namespace: 'istio-system',
        values: { global: { meshID: 'kconn-mesh', multiCluster: { clusterName: c }, network: `network-${c}` } },
      });
      expect(helm(on(steps, c), 'istio-base')).to.deep.include({ chart: 'base', version: '1.30.5', values: {} });
      expect(helm(on(steps, c), 'istio-eastwestgateway')).to.deep.include({
        chart: 'gateway',
        version: '1.30.5',
        values: { name: 'istio-eastwestgateway', networkGateway: `network-${c}` },
      });
    }
    const custom = istio.steps(ctx({ meshID: 'm2' }));
    expect(helm(custom, 'istiod')).to.deep.include({ values: { global: { meshID: 'm2', multiCluster: { clusterName: 'east' }, network: 'network-east' } } });
  });

  it('labels istio-system with the network before istiod, and creates cacerts before istiod starts', () => {
    const east = on(steps, 'east');
    const ns = east.findIndex((s) => s.action === 'apply-object' && s.object['kind'] === 'Namespace');
    const ca = east.findIndex((s) => s.action === 'apply-computed' && s.compute === 'cacerts');
    const istiod = east.findIndex((s) => s.action === 'helm-install' && s.release === 'istiod');
    expect(ns).to.be.below(ca);
    expect(ca).to.be.below(istiod);
    expect(east[ns]).to.deep.include({ object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network-east' } } } });
  });

  it('shows placeholders, never key material, for the cacerts secret', () => {
    const ca = on(steps, 'west').find((s) => s.action === 'apply-computed' && s.compute === 'cacerts');
    expect(ca).to.deep.include({
      input: {
        runId: 'ab12cd',
        dir: '/run/multicluster/mesh-ca',
        clusters: ['east', 'west'],
        data: {
          'ca-cert.pem': '<intermediate CA of west, signed by the run root>',
          'ca-key.pem': '<its private key: never printed; file /run/multicluster/mesh-ca/west/ca-key.pem, mode 0600>',
          'root-cert.pem': '<root CA of the run>',
          'cert-chain.pem': '<ca-cert.pem, then root-cert.pem>',
        },
      },
    });
    expect(JSON.stringify(steps)).to.not.match(/BEGIN|PRIVATE KEY/);
  });

  it('gives MetalLB an exact, distinct pool per cluster when the kind network is known, after its controller is ready', () => {
    const east = on(steps, 'east');
    expect(east[0]).to.deep.include({ action: 'apply', url: 'https://raw.githubusercontent.com/metallb/metallb/v0.15.3/config/manifests/metallb-native.yaml', serverSide: true });
    expect(east[1]).to.deep.include({ action: 'wait', resource: 'deployment', namespace: 'metallb-system', name: 'controller', condition: 'rollout-complete' });
    expect(east[2]).to.deep.include({ action: 'wait', resource: 'daemonset', namespace: 'metallb-system', name: 'speaker', condition: 'rollout-complete' });
    expect(east[3]).to.deep.include({ action: 'poll', check: 'webhook-answers', input: { configuration: 'metallb-webhook-configuration' } });
    const pools = steps.flatMap((s) => (s.action === 'apply-object' && s.object['kind'] === 'IPAddressPool' ? [(s.object['spec'] as { addresses: string[] }).addresses[0]] : []));
    expect(pools).to.have.length(2);
    expect(new Set(pools).size).to.equal(2);
    for (const p of pools) expect(p).to.match(/^172\.18\.(1[2-9]\d|2\d\d)\.\d+-172\.18\.\d+\.\d+$/);
  });

  it('computes the pool at run time when the kind network is not known yet', () => {
    const unknown = istio.steps(ctx());
    const pool = on(unknown, 'east').find((s) => s.action === 'apply-computed' && s.compute === 'metallb-pool');
    expect(pool).to.deep.include({ input: { kindNetwork: 'docker network inspect kind (IPv4 subnet)', clusters: ['east', 'west'], seed: 'kconn-ab12cd-east,kconn-ab12cd-west', range: 'upper half of the subnet, at most 64 addresses per cluster' } });
    expect(unknown.some((s) => s.action === 'apply-object' && s.object['kind'] === 'IPAddressPool')).to.equal(false);
  });

  it('installs no MetalLB with cloud-provider-kind, and still waits for the address', () => {
    const cpk = istio.steps(ctx({ loadBalancer: 'cloud-provider-kind' }, { kindNetwork: '172.18.0.0/16' }));
    expect(cpk.some((s) => s.summary.includes('MetalLB'))).to.equal(false);
    expect(cpk.filter((s) => s.action === 'poll' && s.check === 'load-balancer-address')).to.have.length(2);
  });

  it('labels every node of a cluster with its locality (region = the cluster)', () => {
    const labels = istio.steps(ctx({}, { clusters: [cluster('east', { workers: 2 }), cluster('west', { workers: 0 })] })).filter((s) => s.action === 'label');
    expect(labels.map((s) => s.action === 'label' && [s.cluster, s.name, s.labels['topology.kubernetes.io/region'], s.labels['topology.kubernetes.io/zone']])).to.deep.equal([
      ['east', 'kconn-ab12cd-east-control-plane', 'east', 'east-a'],
      ['east', 'kconn-ab12cd-east-worker', 'east', 'east-a'],
      ['east', 'kconn-ab12cd-east-worker2', 'east', 'east-a'],
      ['west', 'kconn-ab12cd-west-control-plane', 'west', 'west-a'],
    ]);
  });

  it('exposes services on 15443 with AUTO_PASSTHROUGH for *.local through the east-west gateway', () => {
    expect(crossNetworkGateway()).to.deep.equal({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'cross-network-gateway', namespace: 'istio-system' },
      spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }] },
    });
  });

  it("builds remote secrets as istioctl does, with the kind-network server and the reader's token", () => {
    const kubeconfig = remoteKubeconfig('west', 'https://172.18.0.3:6443', 'CA PEM', 'tok3n');
    expect(load(kubeconfig)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'west', cluster: { server: 'https://172.18.0.3:6443', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') } }],
      users: [{ name: 'west', user: { token: 'tok3n' } }],
      contexts: [{ name: 'west', context: { cluster: 'west', user: 'west' } }],
      'current-context': 'west',
      preferences: {},
    });
    expect(remoteSecret('west', kubeconfig)).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'istio-remote-secret-west', namespace: 'istio-system', labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'west' } },
      data: { west: Buffer.from(kubeconfig).toString('base64') },
    });
  });
});

describe('Istio: what it refuses', () => {
  const problems = (c: MeshContext) => istio.incompatibilities(c).map((p) => `${p.concerns}${p.option ? `.${p.option}` : ''} ${p.cluster}: ${p.message}; ${p.fix}`);

  it('accepts the default topology', () => {
    expect(problems(ctx({}, { kindNetwork: '172.18.0.0/16' }))).to.deep.equal([]);
  });

  it('refuses a mesh with no way to give LoadBalancer addresses, once, at the option', () => {
    expect(problems(ctx({ loadBalancer: 'none' }))).to.deep.equal([
      "options.loadBalancer east: Istio on different networks needs a LoadBalancer address for every cluster's east-west gateway, reachable from the other clusters, and loadBalancer: none gives none; set loadBalancer to metallb (kconn installs it) or cloud-provider-kind (you run it on the host)",
    ]);
  });

  it('refuses MetalLB with kube-proxy in IPVS mode, and a kind network with no room', () => {
    const c = ctx({}, { clusters: [cluster('east', { kubeProxyMode: 'ipvs' }), cluster('west')], kindNetwork: '10.0.0.0/28' });
    expect(problems(c)).to.deep.equal([
      'kubeProxyMode east: MetalLB in layer-2 mode needs strictARP with kube-proxy in IPVS mode (https://metallb.universe.tf/installation/#preparation), which kconn does not set; use kubeProxyMode iptables or nftables, or loadBalancer: cloud-provider-kind',
      'options.loadBalancer east: the kind network 10.0.0.0/28 is too small for MetalLB: its upper half holds 1 slice(s) of 4 addresses, and the topology needs 2; give the kind Docker network a larger IPv4 subnet, or use loadBalancer: cloud-provider-kind',
    ]);
    expect(problems(ctx({ loadBalancer: 'cloud-provider-kind' }, { clusters: [cluster('east', { kubeProxyMode: 'ipvs' }), cluster('west')], kindNetwork: '10.0.0.0/28' }))).to.deep.equal([]);
  });

  it("refuses Cilium's kube-proxy replacement, which bypasses the sidecars", () => {
    const c = ctx({}, { clusters: [cluster('east', { cni: 'cilium', cniOptions: { kubeProxyReplacement: true } }), cluster('west', { cni: 'cilium', cniOptions: {} })] });
    expect(problems(c)).to.have.length(1);
    expect(problems(c)[0]).to.match(/^cni east: Cilium's kube-proxy replacement .*\(https:\/\/docs\.cilium\.io\/en\/stable\/network\/servicemesh\/istio\/.*; use cilium without kubeProxyReplacement, or another CNI$/);
  });

  it('accepts overlapping pod and service ranges across clusters (different networks never route each other)', () => {
    expect(istio.overlappingSubnets?.allowed({})).to.equal(true);
  });
});
