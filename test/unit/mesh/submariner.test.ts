import { expect } from 'chai';
import type { MeshCluster, MeshContext, MeshRuntime } from '../../../harness/mesh/meshProvider.js';
import { calicoIpPools } from '../../../harness/mesh/submariner/calicoPools.js';
import { judgeGateways, gatewaysConnected } from '../../../harness/mesh/submariner/gateways.js';
import { gatewayNode, submariner, SUBMARINER_VERSION } from '../../../harness/mesh/submariner.js';
import type { MeshStep } from '../../../harness/model/plan.js';
import { subctlSpec } from '../../../harness/provision/toolSpec.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const RUN = '/state/runs/r1';

function meshCluster(name: string, extra: Partial<MeshCluster> = {}): MeshCluster {
  return {
    name,
    kindName: `kconn-r1-${name}`,
    cni: 'kindnet',
    podSubnet: name === 'east' ? '10.10.0.0/16' : '10.20.0.0/16',
    serviceSubnet: name === 'east' ? '10.110.0.0/16' : '10.120.0.0/16',
    kubeProxyMode: 'iptables',
    workers: 1,
    kubeconfig: `${RUN}/${name}/kubeconfig`,
    internalKubeconfig: `${RUN}/${name}/kubeconfig-internal`,
    ...extra,
  };
}

function context(clusters: MeshCluster[], options: Record<string, unknown> = {}): MeshContext {
  return { clusters, version: SUBMARINER_VERSION, options, workDir: `${RUN}/multicluster` };
}

const execs = (steps: MeshStep[]) => steps.filter((s) => s.action === 'exec').map((s) => (s.action === 'exec' ? [s.cluster, s.cwd, ...s.argv] : []));

describe('Submariner steps', () => {
  it('kindnet: gateway labels, then the broker on the first cluster, then one join per cluster, with every value subctl would ask for', () => {
    const steps = submariner.steps(context([meshCluster('east'), meshCluster('west')]));
    expect(steps.map((s) => `${s.action} ${s.cluster ?? ''}`)).to.deep.equal([
      'label east', 'label west',
      'exec east', 'exec east', 'exec west',
      'poll east', 'wait east', 'wait east', 'wait east',
      'poll west', 'wait west', 'wait west', 'wait west',
    ]);
    expect(execs(steps)).to.deep.equal([
      ['east', `${RUN}/multicluster`, 'subctl', 'deploy-broker', '--kubeconfig', `${RUN}/east/kubeconfig-internal`],
      ['east', `${RUN}/multicluster`, 'subctl', 'join', '--kubeconfig', `${RUN}/east/kubeconfig-internal`, '--clusterid', 'east', '--natt=false', '--label-gateway=false', '--cable-driver', 'vxlan', '--clustercidr', '10.10.0.0/16', '--servicecidr', '10.110.0.0/16', 'broker-info.subm'],
      ['west', `${RUN}/multicluster`, 'subctl', 'join', '--kubeconfig', `${RUN}/west/kubeconfig-internal`, '--clusterid', 'west', '--natt=false', '--label-gateway=false', '--cable-driver', 'vxlan', '--clustercidr', '10.20.0.0/16', '--servicecidr', '10.120.0.0/16', 'broker-info.subm'],
    ]);
    expect(steps[0]).to.deep.include({ action: 'label', apiVersion: 'v1', kind: 'Node', name: 'kconn-r1-east-worker', labels: { 'submariner.io/gateway': 'true' } });
    expect(steps.find((s) => s.action === 'poll' && s.cluster === 'west')).to.deep.include({ check: 'gateways-connected', input: { namespace: 'submariner-operator', peers: ['east'] }, timeout: '10m' });
    expect(steps.filter((s) => s.action === 'wait' && s.cluster === 'east').map((s) => (s.action === 'wait' ? [s.resource, s.namespace, s.name, s.condition] : []))).to.deep.equal([
      ['daemonset', 'submariner-operator', 'submariner-routeagent', 'rollout-complete'],
      ['deployment', 'submariner-operator', 'submariner-lighthouse-agent', 'rollout-complete'],
      ['deployment', 'submariner-operator', 'submariner-lighthouse-coredns', 'rollout-complete'],
    ]);
    // No step waits a fixed time: every wait is a poll of the API.
    expect(steps.every((s) => s.action !== 'exec' || !s.argv.includes('sleep'))).to.equal(true);
  });

  it('every exec names a timeout and runs in the run folder, where deploy-broker writes broker-info.subm for the joins', () => {
    for (const s of submariner.steps(context([meshCluster('east'), meshCluster('west')]))) {
      if (s.action === 'exec') expect([s.cwd, typeof s.timeout]).to.deep.equal([`${RUN}/multicluster`, 'string']);
    }
  });

  it('the cable driver option, and Globalnet on the broker', () => {
    const steps = submariner.steps(context([meshCluster('east'), meshCluster('west')], { cableDriver: 'libreswan', globalnet: true }));
    const argv = execs(steps);
    expect(argv[0]).to.deep.equal(['east', `${RUN}/multicluster`, 'subctl', 'deploy-broker', '--kubeconfig', `${RUN}/east/kubeconfig-internal`, '--globalnet']);
    expect(argv[1]).to.include('libreswan');
    expect(submariner.capabilitiesFor!({ globalnet: true })).to.deep.equal(['crossClusterServiceDiscovery', 'multiClusterServices']);
    expect(submariner.capabilitiesFor!({})).to.deep.equal(['crossClusterPodRouting', 'crossClusterServiceDiscovery', 'multiClusterServices']);
    expect(submariner.overlappingSubnets!.allowed({ globalnet: true })).to.equal(true);
    expect(submariner.overlappingSubnets!.allowed({})).to.equal(false);
  });

  it('a cluster without workers gets its control plane labelled as the gateway', () => {
    expect(gatewayNode(meshCluster('east', { workers: 0 }))).to.equal('kconn-r1-east-control-plane');
    expect(gatewayNode(meshCluster('east', { workers: 2 }))).to.equal('kconn-r1-east-worker');
  });

  it('on a failed step, subctl show all and diagnose all for every cluster go into the diagnostics', () => {
    expect(submariner.failureCommands!(context([meshCluster('east'), meshCluster('west')]))).to.deep.equal([
      ['subctl', 'show', 'all', '--kubeconfig', `${RUN}/east/kubeconfig-internal`],
      ['subctl', 'diagnose', 'all', '--kubeconfig', `${RUN}/east/kubeconfig-internal`],
      ['subctl', 'show', 'all', '--kubeconfig', `${RUN}/west/kubeconfig-internal`],
      ['subctl', 'diagnose', 'all', '--kubeconfig', `${RUN}/west/kubeconfig-internal`],
    ]);
  });

  it('refuses Cilium (not supported upstream; use istio) and kube-proxy in IPVS mode', () => {
    const problems = submariner.incompatibilities(context([meshCluster('east', { cni: 'cilium' }), meshCluster('west', { kubeProxyMode: 'ipvs' })]));
    expect(problems.map((p) => [p.cluster, p.concerns, p.fix])).to.deep.equal([
      ['east', 'cni', 'use istio, or a CNI other than cilium'],
      ['west', 'kubeProxyMode', 'use kubeProxyMode iptables or nftables, or istio'],
    ]);
    expect(problems[0]!.message).to.match(/^Submariner with Cilium is not supported upstream \(https:\/\/github\.com\/submariner-io\/submariner\/issues\/3168/);
    expect(submariner.incompatibilities(context([meshCluster('east'), meshCluster('west', { cni: 'calico' })]))).to.deep.equal([]);
  });
});

/**
 * Facts of Calico's IPPool CRD (projectcalico/calico libcalico-go/config/crd/crd.projectcalico.org_ippools.yaml,
 * group crd.projectcalico.org, version v1, scope Cluster): the spec fields and their types; `cidr` is required.
 */
const IPPOOL_SPEC_FIELDS: Record<string, string> = {
  allowedUses: 'object', blockSize: 'number', cidr: 'string', disableBGPExport: 'boolean', disabled: 'boolean',
  ipipMode: 'string', natOutgoing: 'boolean', nodeSelector: 'string', vxlanMode: 'string',
};

describe('Calico IP pools for Submariner', () => {
  const east = meshCluster('east', { cni: 'calico' });
  const west = meshCluster('west', { cni: 'calico' });

  it('one disabled pool without NAT per remote pod and service range, valid against the IPPool CRD', () => {
    const pools = calicoIpPools(east, [east, west]);
    expect(pools).to.deep.equal([
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'submariner-west-pods' }, spec: { cidr: '10.20.0.0/16', natOutgoing: false, disabled: true } },
      { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'submariner-west-services' }, spec: { cidr: '10.120.0.0/16', natOutgoing: false, disabled: true } },
    ]);
    for (const p of pools) {
      expect(p.metadata, 'cluster-scoped: no namespace').to.not.have.property('namespace');
      expect(p.metadata.name).to.match(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      for (const [k, v] of Object.entries(p.spec)) expect(typeof v, `spec.${k}`).to.equal(IPPOOL_SPEC_FIELDS[k]);
    }
  });

  it('none from kconn when the cluster has the Calico API server (Submariner\'s route agent creates them there), nor for other CNIs', () => {
    const withApi = meshCluster('east', { cni: 'calico', cniOptions: { apiServer: true } });
    expect(calicoIpPools(withApi, [withApi, west])).to.deep.equal([]);
    expect(calicoIpPools(meshCluster('east'), [meshCluster('east'), west])).to.deep.equal([]);
  });

  it('Calico clusters get them before the broker is deployed; kindnet clusters and Globalnet get none', () => {
    const steps = submariner.steps(context([east, meshCluster('west')]));
    const pools = steps.filter((s) => s.action === 'apply-object');
    expect(pools.map((s) => s.cluster)).to.deep.equal(['east', 'east']);
    expect(steps.indexOf(pools[1]!)).to.be.lessThan(steps.findIndex((s) => s.action === 'exec'));
    expect(submariner.steps(context([east, west], { globalnet: true })).filter((s) => s.action === 'apply-object')).to.deep.equal([]);
  });
});

describe('gateway readiness', () => {
  const gw = (haStatus: string, conns: [string, string, string?][]) => ({
    metadata: { name: 'gw1' },
    status: { haStatus, connections: conns.map(([id, status, statusMessage]) => ({ status, statusMessage: statusMessage ?? '', endpoint: { cluster_id: id } })) },
  });

  it('ready only when the active gateway is connected to every peer; the detail names each state', () => {
    expect(judgeGateways([], ['west'])).to.deep.equal({ ready: false, detail: 'no Gateway object yet (the gateway pod has not started)' });
    expect(judgeGateways([gw('passive', [])], ['west']).ready).to.equal(false);
    expect(judgeGateways([gw('active', [['west', 'connecting', 'handshake']])], ['west'])).to.deep.equal({ ready: false, detail: 'gateway gw1: west connecting (handshake)' });
    expect(judgeGateways([gw('active', [['west', 'connected']])], ['west', 'north'])).to.deep.equal({ ready: false, detail: 'gateway gw1: west connected, north no connection' });
    expect(judgeGateways([gw('active', [['west', 'error', 'no route']])], ['west']).detail).to.equal('gateway gw1: west error (no route)');
    expect(judgeGateways([gw('passive', []), gw('active', [['west', 'connected'], ['north', 'connected']])], ['west', 'north'])).to.deep.equal({ ready: true, detail: 'gateway gw1: west connected, north connected' });
  });

  it('lists Gateway objects of the namespace on the step\'s cluster', async () => {
    const api = new MemoryKubeApi();
    api.put({ apiVersion: 'submariner.io/v1', kind: 'Gateway', metadata: { name: 'gw1', namespace: 'submariner-operator' }, ...{ status: { haStatus: 'active', connections: [{ status: 'connected', endpoint: { cluster_id: 'west' } }] } } } as never);
    const rt: MeshRuntime = { cluster: 'east', kube: () => api, address: () => '172.18.0.2', workDir: '/w', signal: new AbortController().signal };
    expect(await gatewaysConnected({ namespace: 'submariner-operator', peers: ['west'] }, rt)).to.deep.equal({ ready: true, detail: 'gateway gw1: west connected' });
    expect(api.calls).to.deep.equal(['list Gateway submariner-operator']);
  });
});

describe('subctl pin', () => {
  it('downloads the release archive of the pinned version, verified against the release checksum file, and accepts that minor on PATH', () => {
    const spec = subctlSpec();
    expect(spec.version).to.equal(`v${SUBMARINER_VERSION}`);
    const url = spec.url({ os: 'linux', arch: 'amd64' });
    expect(url).to.equal('https://github.com/submariner-io/releases/releases/download/v0.22.0/subctl-v0.22.0-linux-amd64.tar.xz');
    expect(spec.checksumUrl(url)).to.equal('https://github.com/submariner-io/releases/releases/download/v0.22.0/subctl-checksums.txt');
    expect(spec.archiveMember!({ os: 'linux', arch: 'amd64' })).to.equal('subctl-v0.22.0/subctl');
    expect(spec.archiveCompression).to.equal('J');
    expect(spec.sha256, 'no digest invented').to.deep.equal({});
    expect([spec.minimum, spec.below]).to.deep.equal(['v0.22.0', 'v0.23.0']);
    expect(spec.parseVersion('subctl version: v0.22.0\n')).to.equal('v0.22.0');
    expect(spec.parseVersion('v0.22.0')).to.equal(undefined);
    expect(subctlSpec('0.21.2').url({ os: 'darwin', arch: 'arm64' })).to.equal('https://github.com/submariner-io/releases/releases/download/v0.21.2/subctl-v0.21.2-darwin-arm64.tar.xz');
  });
});
