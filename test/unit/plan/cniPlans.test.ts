import { expect } from 'chai';
import { planRun, PlanError } from '../../../harness/plan/planRun.js';
import { NODE_IMAGES } from '../../../harness/plan/nodeImages.js';
import type { PlanStep } from '../../../harness/model/plan.js';
import { cluster, PLAN_OPTIONS, suite, topology } from '../../support/planFixtures.js';

const one = (cni: string, options: Record<string, unknown> = {}, workers = 1) =>
  planRun(topology([cluster('main', { workers, podSubnet: '10.42.0.0/16', serviceSubnet: '10.142.0.0/16', cni: { name: cni, options } })]), [suite('s')], PLAN_OPTIONS)
    .clusters[0]!;

const actions = (steps: readonly PlanStep[]) => steps.map((s) => s.action);

describe('kind config and steps per CNI', () => {
  it('kindnet: default CNI kept, nothing installed, nodes pinned by digest', () => {
    const c = one('kindnet');
    expect(c.kindConfig).to.deep.equal({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      name: 'kconn-t1-main',
      networking: { ipFamily: 'ipv4', podSubnet: '10.42.0.0/16', serviceSubnet: '10.142.0.0/16' },
      nodes: [
        { role: 'control-plane', image: NODE_IMAGES['v1.36.4'] },
        { role: 'worker', image: NODE_IMAGES['v1.36.4'] },
      ],
    });
    expect(c.nodeImage).to.match(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/);
    expect(actions(c.steps)).to.deep.equal(['kind-create', 'wait', 'wait', 'wait']);
    expect(c.capabilities, 'one worker: two nodes').to.deep.equal(['networkPolicy', 'multiNode']);
  });

  it('kind create never gets --wait (useless before a custom CNI, and exits 0 on timeout)', () => {
    for (const cni of ['kindnet', 'flannel', 'calico', 'cilium']) {
      const create = one(cni).steps.find((s) => s.action === 'kind-create');
      expect(create && 'argv' in create ? create.argv : []).to.deep.equal([
        'kind', 'create', 'cluster', '--name', 'kconn-t1-main',
        '--config', '/state/kconn/runs/t1/main/kind-config.yaml', '--kubeconfig', '/state/kconn/runs/t1/main/kubeconfig',
      ]);
    }
  });

  it('flannel: default CNI disabled, bridge plugin mounted read-write on every node from a folder of this cluster, Network = podSubnet', () => {
    const c = one('flannel', { backend: 'host-gw' }, 2);
    const networking = c.kindConfig['networking'] as Record<string, unknown>;
    expect(networking['disableDefaultCNI']).to.equal(true);
    const nodes = c.kindConfig['nodes'] as Record<string, unknown>[];
    expect(nodes).to.have.length(3);
    for (const n of nodes) {
      // Read-write: flannel's install-cni-plugin init container copies its binary into /opt/cni/bin.
      expect(n['extraMounts']).to.deep.equal([{ hostPath: '/state/kconn/runs/t1/main/cni-bin', containerPath: '/opt/cni/bin' }]);
    }
    expect(actions(c.steps)).to.deep.equal(['download', 'kind-create', 'apply', 'wait', 'wait', 'wait']);
    const download = c.steps[0]!;
    expect(download).to.deep.include({
      url: 'https://github.com/containernetworking/plugins/releases/download/v1.9.1/cni-plugins-linux-amd64-v1.9.1.tgz',
      sha256: 'b98f74a0f8522f0a83867178729c1aa70f2158f90c45a2ca8fa791db1c76b303',
      into: '/cache/kconn/cni-plugins-v1.9.1-linux-amd64',
      copy: { to: '/state/kconn/runs/t1/main/cni-bin', files: ['bridge', 'host-local', 'loopback', 'portmap', 'ptp'] },
    });
    const apply = c.steps[2]!;
    expect(apply).to.deep.include({ url: 'https://github.com/flannel-io/flannel/releases/download/v0.28.9/kube-flannel.yml', serverSide: true });
    expect(apply.action === 'apply' && apply.patches).to.deep.equal([
      {
        summary: 'ConfigMap kube-flannel/kube-flannel-cfg net-conf.json: Network=10.42.0.0/16, Backend.Type=host-gw',
        kind: 'ConfigMap',
        namespace: 'kube-flannel',
        name: 'kube-flannel-cfg',
        dataKey: 'net-conf.json',
        merge: { Network: '10.42.0.0/16', Backend: { Type: 'host-gw' } },
      },
    ]);
    expect(c.capabilities, 'flannel enforces no NetworkPolicy').to.deep.equal(['multiNode']);
  });

  it('calico: CRDs, then operator, then an Installation whose pool is the podSubnet; tigerastatus polled', () => {
    const c = one('calico');
    expect(actions(c.steps)).to.deep.equal(['kind-create', 'apply', 'apply', 'wait', 'apply-object', 'wait', 'wait', 'wait', 'wait']);
    expect(c.steps[1]).to.deep.include({ url: 'https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/operator-crds.yaml', serverSide: true });
    expect(c.steps[2]).to.deep.include({ url: 'https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/tigera-operator.yaml' });
    const installation = c.steps[4]!;
    expect(installation.action === 'apply-object' && installation.object).to.deep.equal({
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: { name: 'default' },
      spec: {
        calicoNetwork: {
          ipPools: [
            { name: 'default-ipv4-ippool', blockSize: 26, cidr: '10.42.0.0/16', encapsulation: 'VXLAN', natOutgoing: 'Enabled', nodeSelector: 'all()' },
          ],
        },
      },
    });
    expect(c.steps[5]).to.deep.include({ resource: 'tigerastatus', name: 'calico', condition: 'Available' });
    expect((c.kindConfig['networking'] as Record<string, unknown>)['disableDefaultCNI']).to.equal(true);
  });

  it('calico with kube-proxy in nftables mode gets the Nftables data plane; other modes keep the default', () => {
    const network = (mode?: 'nftables' | 'ipvs' | 'iptables') => {
      const t = topology([cluster('main', { cni: { name: 'calico', options: {} }, ...(mode ? { kubeProxyMode: mode } : {}) })]);
      const step = planRun(t, [suite('s')], PLAN_OPTIONS).clusters[0]!.steps.find((s) => s.action === 'apply-object')!;
      return step.action === 'apply-object' ? ((step.object['spec'] as Record<string, unknown>)['calicoNetwork'] as Record<string, unknown>) : {};
    };
    expect(network('nftables')['linuxDataplane']).to.equal('Nftables');
    for (const mode of [undefined, 'iptables', 'ipvs'] as const) expect(network(mode), String(mode)).to.not.have.property('linuxDataplane');
  });

  it('multiNode only with a worker beside the control plane', () => {
    expect(one('kindnet', {}, 0).capabilities).to.deep.equal(['networkPolicy']);
    expect(one('kindnet', {}, 2).capabilities).to.deep.equal(['networkPolicy', 'multiNode']);
  });

  it('cilium: ipam kubernetes, one operator replica on a single node', () => {
    const c = one('cilium', {}, 0);
    const helm = c.steps.find((s) => s.action === 'helm-install')!;
    expect(helm).to.deep.include({ repo: 'https://helm.cilium.io', chart: 'cilium', version: '1.19.7', namespace: 'kube-system' });
    expect(helm.action === 'helm-install' && helm.values).to.deep.equal({
      image: { pullPolicy: 'IfNotPresent' },
      ipam: { mode: 'kubernetes' },
      operator: { replicas: 1 },
    });
    expect(c.kubeProxyMode).to.equal('iptables');
    expect(c.kindConfig['networking']).to.not.have.property('kubeProxyMode');
    expect(c.steps.filter((s) => s.action === 'wait').map((s) => s.action === 'wait' && s.name)).to.deep.equal(['cilium', 'cilium-envoy', 'cilium-operator', undefined, 'coredns']);
  });

  it('cilium with kube-proxy replacement: kind kubeProxyMode none, API at <cluster>-control-plane:6443', () => {
    const c = one('cilium', { kubeProxyReplacement: true }, 2);
    expect((c.kindConfig['networking'] as Record<string, unknown>)['kubeProxyMode']).to.equal('none');
    expect(c.kubeProxyMode).to.equal('none');
    const helm = c.steps.find((s) => s.action === 'helm-install')!;
    expect(helm.action === 'helm-install' && helm.values).to.deep.include({
      kubeProxyReplacement: true,
      k8sServiceHost: 'kconn-t1-main-control-plane',
      k8sServicePort: 6443,
      operator: { replicas: 2 },
    });
    expect(c.capabilities).to.include('kubeProxyReplacement');
  });

  it('kubeProxyMode is written only when set', () => {
    const t = topology([cluster('main', { kubeProxyMode: 'ipvs' })]);
    const c = planRun(t, [suite('s')], PLAN_OPTIONS).clusters[0]!;
    expect((c.kindConfig['networking'] as Record<string, unknown>)['kubeProxyMode']).to.equal('ipvs');
  });

  it('--cni overrides every cluster, and refuses combinations that cannot work', () => {
    const t = topology([cluster('a', { cni: { name: 'calico', options: {} } }), cluster('b')], { cni: { name: 'kindnet', options: {} } });
    const plan = planRun(t, [suite('s')], { ...PLAN_OPTIONS, cni: 'flannel' });
    expect(plan.clusters.map((c) => c.cni.name)).to.deep.equal(['flannel', 'flannel']);
    const none = topology([cluster('a', { kubeProxyMode: 'none', cni: { name: 'cilium', options: { kubeProxyReplacement: true } } })]);
    expect(() => planRun(none, [suite('s')], { ...PLAN_OPTIONS, cni: 'calico' })).to.throw(PlanError, 'kubeProxyMode none removes kube-proxy, and calico does not replace it');
    expect(() => planRun(t, [suite('s')], { ...PLAN_OPTIONS, cni: 'weave' })).to.throw(PlanError, /Weave Net is archived.*valid CNIs: kindnet, flannel, calico, cilium/);
  });
});
