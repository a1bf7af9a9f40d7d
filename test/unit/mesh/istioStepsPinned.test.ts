import { expect } from 'chai';
import { istio } from '../../../harness/mesh/istio.js';
import { metallbSlices } from '../../../harness/mesh/istio/loadBalancer.js';
import type { MeshCluster, MeshContext } from '../../../harness/mesh/meshProvider.js';
import type { MeshStep } from '../../../harness/model/plan.js';

function cluster(name: string, kindName = `kconn-ab12cd-${name}`): MeshCluster {
  return {
    name, kindName, cni: 'kindnet', podSubnet: '', serviceSubnet: '', kubeProxyMode: 'iptables', workers: 1,
    kubeconfig: `/run/${name}/kubeconfig`, internalKubeconfig: `/run/${name}/kubeconfig-internal`,
  };
}
const ctx = (clusters: MeshCluster[], options: Record<string, unknown> = {}, kindNetwork?: string): MeshContext => ({
  clusters, version: '1.30.5', options, workDir: '/run/multicluster', ...(kindNetwork ? { kindNetwork } : {}),
});
type Obj = { kind: string; spec?: { addresses?: string[] } };
const pools = (steps: MeshStep[], c: string): string[] =>
  steps.flatMap((s) => (s.cluster === c && s.action === 'apply-object' && (s.object as unknown as Obj).kind === 'IPAddressPool' ? ((s.object as unknown as Obj).spec?.addresses ?? []) : []));

describe('Istio steps pinned: slices, remote secrets, run id, timeouts', () => {
  it("each cluster's MetalLB pool is its own slice of the kind network, placed by the run's kind names", () => {
    const clusters = [cluster('east'), cluster('west'), cluster('north')];
    const steps = istio.steps(ctx(clusters, {}, '172.18.0.0/16'));
    const slices = metallbSlices('172.18.0.0/16', ['east', 'west', 'north'], 'kconn-ab12cd-east,kconn-ab12cd-west,kconn-ab12cd-north');
    expect(slices.ok).to.equal(true);
    const wanted = slices.ok ? slices.slices : [];
    for (const s of wanted) expect(pools(steps, s.cluster), s.cluster).to.deep.equal([`${s.first}-${s.last}`]);
    expect(new Set(clusters.map((c) => pools(steps, c.name)[0])).size, 'no two clusters share a pool').to.equal(3);
    const summaries = steps.filter((s) => s.cluster === 'west' && s.action === 'apply-object' && s.summary.startsWith('MetalLB')).map((s) => s.summary);
    const west = wanted.find((s) => s.cluster === 'west')!;
    expect(summaries).to.deep.equal([
      `MetalLB IPAddressPool: ${west.first}-${west.last} of the kind network 172.18.0.0/16`,
      `MetalLB L2Advertisement: ${west.first}-${west.last} of the kind network 172.18.0.0/16`,
    ]);
  });

  it('without the kind network, the pool is computed at run time; with another LoadBalancer source there is no MetalLB', () => {
    const steps = istio.steps(ctx([cluster('east'), cluster('west')]));
    const computed = steps.filter((s) => s.action === 'apply-computed' && s.compute === 'metallb-pool');
    expect(computed.map((s) => [s.cluster, s.summary])).to.deep.equal([
      ['east', "MetalLB IPAddressPool and L2Advertisement: this cluster's slice of the kind network, whose subnet Docker gives at run time"],
      ['west', "MetalLB IPAddressPool and L2Advertisement: this cluster's slice of the kind network, whose subnet Docker gives at run time"],
    ]);
    const cpk = istio.steps(ctx([cluster('east'), cluster('west')], { loadBalancer: 'cloud-provider-kind' }, '172.18.0.0/16'));
    expect(cpk.filter((s) => s.summary.includes('MetalLB'))).to.deep.equal([]);
    const address = (steps: MeshStep[]) => steps.find((s) => s.action === 'poll' && s.check === 'load-balancer-address');
    expect(address(steps)).to.have.property('timeout', '3m');
    expect(address(cpk)).to.have.property('timeout', '5m');
  });

  it('every cluster gets a remote secret of every other cluster, and none of its own', () => {
    const steps = istio.steps(ctx([cluster('east'), cluster('west'), cluster('north')], {}, '172.18.0.0/16'));
    const secrets = steps.filter((s) => s.action === 'apply-computed' && s.compute === 'remote-secret').map((s) => `${s.cluster}<-${String((s as unknown as { input: { source: string } }).input.source)}`);
    expect(secrets).to.deep.equal(['east<-west', 'east<-north', 'west<-east', 'west<-north', 'north<-east', 'north<-west']);
  });

  it("the mesh CA's run id comes from the kind name kconn-<run>-<cluster>, else the kind name itself", () => {
    const runIds = (clusters: MeshCluster[]) =>
      istio.steps(ctx(clusters, {}, '172.18.0.0/16')).flatMap((s) => (s.action === 'apply-computed' && s.compute === 'cacerts' ? [(s as unknown as { input: { runId: string } }).input.runId] : []));
    expect(runIds([cluster('east'), cluster('west')])).to.deep.equal(['ab12cd', 'ab12cd']);
    expect(runIds([cluster('east', 'mykind-east'), cluster('west', 'kconn-ab12cd-other')])).to.deep.equal(['mykind-east', 'kconn-ab12cd-other']);
    expect(runIds([cluster('east', 'kconn-east'), cluster('west', 'xkconn-ab-west')])).to.deep.equal(['kconn-east', 'xkconn-ab-west']);
  });
});
