import { expect } from 'chai';
import { CNI_WAIT_TIMEOUT } from '../../../harness/cni/cniPlugin.js';
import { decideKubeProxyMode } from '../../../harness/cni/kubeProxyRule.js';
import { CNI_NAMES, findCni } from '../../../harness/cni/registry.js';

// What provisioning waits on and what each CNI claims to enforce: a blanked name or an empty capability list would
// silently skip NetworkPolicy suites, or wait on nothing. Found unpinned by the mutation run.
const cni = (name: string) => {
  const p = findCni(name);
  if (!p) throw new Error(`no CNI ${name}`);
  return p;
};
const ctx = (name: string) => ({
  cluster: 'main', kindName: 'kconn-t1-main', podSubnet: '10.10.0.0/16', serviceSubnet: '10.96.0.0/16', nodeCount: 2,
  version: cni(name).defaultVersion, options: {}, cacheDir: '/cache', clusterDir: '/state/main', arch: 'amd64',
});
const waits = (name: string) => cni(name).readinessSteps(ctx(name)).map((s) => (s.action === 'wait' ? [s.resource, s.namespace ?? '', s.name, s.condition, s.timeout] : [s.action]));

describe('CNI modules: capabilities and readiness, pinned', () => {
  it('the registry, in order; an unknown name is none', () => {
    expect(CNI_NAMES).to.deep.equal(['kindnet', 'flannel', 'calico', 'cilium']);
    expect(findCni('weave')).to.equal(undefined);
  });

  it('capabilities: only flannel lacks NetworkPolicy; cilium replaces kube-proxy when asked', () => {
    expect(cni('kindnet').capabilities({})).to.deep.equal(['networkPolicy']);
    expect(cni('flannel').capabilities({})).to.deep.equal([]);
    expect(cni('calico').capabilities({})).to.deep.equal(['networkPolicy']);
    expect(cni('cilium').capabilities({})).to.deep.equal(['networkPolicy']);
    expect(cni('cilium').capabilities({ kubeProxyReplacement: true })).to.deep.equal(['networkPolicy', 'kubeProxyReplacement']);
  });

  it('readiness: the exact objects, namespaces, conditions and time limits polled after the install', () => {
    expect(CNI_WAIT_TIMEOUT).to.equal('5m');
    expect(waits('kindnet')).to.deep.equal([['daemonset', 'kube-system', 'kindnet', 'rollout-complete', '3m']]);
    expect(waits('flannel')).to.deep.equal([['daemonset', 'kube-flannel', 'kube-flannel-ds', 'rollout-complete', '5m']]);
    expect(waits('calico')).to.deep.equal([
      ['tigerastatus', '', 'calico', 'Available', '5m'],
      ['daemonset', 'calico-system', 'calico-node', 'rollout-complete', '5m'],
    ]);
    expect(waits('cilium')).to.deep.equal([
      ['daemonset', 'kube-system', 'cilium', 'rollout-complete', '5m'],
      ['daemonset', 'kube-system', 'cilium-envoy', 'rollout-complete', '5m'],
      ['deployment', 'kube-system', 'cilium-operator', 'rollout-complete', '5m'],
    ]);
  });

  it('calico waits for its Installation CRD before creating the Installation', () => {
    const steps = cni('calico').installSteps(ctx('calico'));
    const wait = steps.find((s) => s.action === 'wait');
    expect(wait).to.deep.include({ resource: 'customresourcedefinition', name: 'installations.operator.tigera.io', condition: 'Established', timeout: '2m' });
    expect(steps.map((s) => s.action)).to.deep.equal(['apply', 'apply', 'wait', 'apply-object']);
  });

  it('kube-proxy mode: what the CNI needs wins over nothing, conflicts are refused, iptables by default', () => {
    expect(decideKubeProxyMode(cni('calico'), {}, undefined)).to.deep.equal({ ok: true, mode: 'iptables' });
    expect(decideKubeProxyMode(cni('calico'), {}, 'nftables')).to.deep.equal({ ok: true, mode: 'nftables' });
    expect(decideKubeProxyMode(cni('cilium'), { kubeProxyReplacement: true }, undefined)).to.deep.equal({ ok: true, mode: 'none' });
    expect(decideKubeProxyMode(cni('cilium'), { kubeProxyReplacement: true }, 'none')).to.deep.equal({ ok: true, mode: 'none' });
    expect(decideKubeProxyMode(cni('cilium'), { kubeProxyReplacement: true }, 'ipvs')).to.deep.equal({
      ok: false,
      reason: 'cilium with these options needs kubeProxyMode none, but ipvs is set',
    });
    expect(decideKubeProxyMode(cni('flannel'), {}, 'none')).to.deep.equal({
      ok: false,
      reason: 'kubeProxyMode none removes kube-proxy, and flannel does not replace it; use cilium with kubeProxyReplacement: true',
    });
  });

  it('what each CNI shows when it does not come up', () => {
    const pods = (summary: string, namespace: string, labelSelector: string) => ({ summary, apiVersion: 'v1', kind: 'Pod', namespace, labelSelector });
    expect(cni('kindnet').diagnostics(ctx('kindnet'))).to.deep.equal([pods('kindnet pods', 'kube-system', 'app=kindnet')]);
    expect(cni('flannel').diagnostics(ctx('flannel'))).to.deep.equal([pods('flannel pods', 'kube-flannel', 'app=flannel')]);
    expect(cni('calico').diagnostics(ctx('calico'))).to.deep.equal([
      { summary: 'TigeraStatus', apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus' },
      pods('Tigera operator pods', 'tigera-operator', 'k8s-app=tigera-operator'),
      { summary: 'calico-system pods', apiVersion: 'v1', kind: 'Pod', namespace: 'calico-system' },
    ]);
    expect(cni('cilium').diagnostics(ctx('cilium'))).to.deep.equal([
      pods('cilium agent pods', 'kube-system', 'k8s-app=cilium'),
      pods('cilium-envoy pods', 'kube-system', 'k8s-app=cilium-envoy'),
      pods('cilium operator pods', 'kube-system', 'io.cilium/app=operator'),
    ]);
  });

  it('the step summaries people read in the plan', () => {
    const summaries = (name: string, options: Record<string, unknown> = {}) => {
      const c = { ...ctx(name), options };
      const p = cni(name);
      return [...p.preCreateSteps(c), ...p.installSteps(c), ...p.readinessSteps(c)].map((s) => s.summary);
    };
    const v = (name: string) => cni(name).defaultVersion;
    expect(summaries('kindnet')).to.deep.equal(['wait for the kindnet DaemonSet rollout']);
    expect(summaries('calico')).to.deep.equal([
      `apply Calico ${v('calico')} operator CRDs`,
      `apply the Tigera operator for Calico ${v('calico')}`,
      'wait for the Installation CRD to be established',
      'create Installation default with IP pool 10.10.0.0/16 (= podSubnet)',
      'wait for TigeraStatus calico to exist and be Available',
      'wait for the calico-node DaemonSet rollout',
    ]);
    expect(summaries('cilium')).to.deep.equal([
      `helm install cilium ${v('cilium')}`,
      'wait for the cilium agent DaemonSet rollout',
      'wait for the cilium-envoy DaemonSet rollout',
      'wait for the cilium-operator Deployment rollout',
    ]);
    expect(summaries('cilium', { kubeProxyReplacement: true })[0]).to.equal(`helm install cilium ${v('cilium')} (kube-proxy replacement)`);
    const flannel = summaries('flannel');
    expect(flannel[0]).to.match(/^fetch containernetworking plugins v\S+ \(flannel needs the bridge plugin kind lacks\)$/);
    expect(flannel.slice(1)).to.deep.equal([`apply kube-flannel.yml ${v('flannel')} with net-conf.json Network=10.10.0.0/16`, 'wait for the kube-flannel DaemonSet rollout']);
  });

  it('options: calico apiServer and encapsulation, cilium hubble, flannel backend; kind config per CNI', () => {
    const calico = (options: Record<string, unknown>) => cni('calico').installSteps({ ...ctx('calico'), options });
    expect(calico({}).some((s) => s.summary === 'create APIServer default')).to.equal(false);
    expect(calico({ apiServer: true }).at(-1)).to.deep.equal({
      action: 'apply-object',
      summary: 'create APIServer default',
      object: { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' }, spec: {} },
    });
    expect(JSON.stringify(calico({}))).to.include('"encapsulation":"VXLAN"');
    expect(JSON.stringify(calico({ encapsulation: 'IPIP' }))).to.include('"encapsulation":"IPIP"');
    const [steps] = [cni('calico').installSteps({ ...ctx('calico'), options: {} })];
    expect(steps!.filter((s) => s.action === 'apply').map((s) => (s as { serverSide?: boolean }).serverSide)).to.deep.equal([true, true]);
    const helm = (options: Record<string, unknown>) => cni('cilium').installSteps({ ...ctx('cilium'), options })[0] as unknown as { release: string; values: Record<string, unknown> };
    expect(helm({}).release).to.equal('cilium');
    expect(helm({}).values).to.not.have.property('hubble');
    expect(helm({ hubble: true }).values['hubble']).to.deep.equal({ relay: { enabled: true } });
    expect(JSON.stringify(cni('flannel').installSteps(ctx('flannel')))).to.include('Backend.Type=vxlan');
    expect(JSON.stringify(cni('flannel').installSteps({ ...ctx('flannel'), options: { backend: 'host-gw' } }))).to.include('Backend.Type=host-gw');
    expect(cni('kindnet').kindConfig(ctx('kindnet'))).to.deep.equal({ disableDefaultCNI: false });
    expect(cni('cilium').kindConfig(ctx('cilium'))).to.deep.equal({ disableDefaultCNI: true });
    expect(cni('cilium').kindConfig({ ...ctx('cilium'), options: { kubeProxyReplacement: true } })).to.deep.equal({ disableDefaultCNI: true, kubeProxyMode: 'none' });
    expect(cni('cilium').preCreateSteps(ctx('cilium'))).to.deep.equal([]);
    expect(cni('calico').preCreateSteps(ctx('calico'))).to.deep.equal([]);
  });
});
