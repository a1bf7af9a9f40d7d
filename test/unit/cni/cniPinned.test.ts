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
});
