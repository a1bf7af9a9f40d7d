import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { CNI_NAMES } from '../../../harness/cni/registry.js';
import { CNI_SIGNATURES, detectCni, DETECTION_NAMESPACES, imageTag } from '../../../harness/kube/cniDetection.js';
import { MemoryKubeApi } from '../../support/memoryKubeApi.js';

const daemonSet = (namespace: string, name: string, image: string, ready = 1): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: { template: { spec: { containers: [{ name, image }] } } },
    status: { desiredNumberScheduled: 3, numberReady: ready, numberAvailable: ready },
  }) as KubernetesObject;

const cluster = (...objects: KubernetesObject[]): MemoryKubeApi => {
  const api = new MemoryKubeApi();
  // What every cluster runs besides its CNI: never mistaken for one.
  api.put(daemonSet('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.35.0'));
  api.put(daemonSet('kube-system', 'aws-node', '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2'));
  for (const o of objects) api.put(o);
  return api;
};

describe('CNI detection from the DaemonSets a cluster runs', () => {
  it('has a signature for every CNI of the registry (adding a CNI means adding its DaemonSet here)', () => {
    expect(CNI_SIGNATURES.map((s) => s.cni).sort()).to.deep.equal([...CNI_NAMES].sort());
    expect(DETECTION_NAMESPACES).to.deep.equal(['kube-system', 'kube-flannel', 'calico-system']);
  });

  const cases: [string, KubernetesObject, string, string][] = [
    ['kind', daemonSet('kube-system', 'kindnet', 'docker.io/kindest/kindnetd:v20250512-df8de77b'), 'kindnet', 'v20250512-df8de77b'],
    ['flannel v0.20+', daemonSet('kube-flannel', 'kube-flannel-ds', 'ghcr.io/flannel-io/flannel:v0.28.9'), 'flannel', 'v0.28.9'],
    ['old flannel in kube-system', daemonSet('kube-system', 'kube-flannel-ds-amd64', 'quay.io/coreos/flannel:v0.11.0-amd64'), 'flannel', 'v0.11.0-amd64'],
    ['calico through the operator', daemonSet('calico-system', 'calico-node', 'quay.io/calico/node:v3.32.1'), 'calico', 'v3.32.1'],
    ['calico.yaml (GKE network policy)', daemonSet('kube-system', 'calico-node', 'gke.gcr.io/calico/node:v3.26.3-gke.0@sha256:' + 'a'.repeat(64)), 'calico', 'v3.26.3-gke.0'],
    ['cilium', daemonSet('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.19.7@sha256:' + 'b'.repeat(64)), 'cilium', 'v1.19.7'],
  ];
  for (const [what, ds, cni, version] of cases) {
    it(`${what}: ${cni} ${version}`, async () => {
      const api = cluster(ds);
      expect(await detectCni(api)).to.deep.equal({ status: 'detected', cni, version, daemonSet: `${ds.metadata!.namespace}/${ds.metadata!.name}` });
      expect(api.calls, 'looks only where CNIs live, and changes nothing').to.deep.equal(DETECTION_NAMESPACES.map((ns) => `list DaemonSet ${ns}`));
    });
  }

  it('a DaemonSet of the right name in another namespace does not count', async () => {
    const r = await detectCni(cluster(daemonSet('default', 'cilium', 'quay.io/cilium/cilium:v1.19.7')));
    expect(r.status).to.equal('unknown');
  });

  it('none of them: unknown, saying where it looked (EKS with the VPC CNI only, say)', async () => {
    expect(await detectCni(cluster())).to.deep.equal({
      status: 'unknown',
      detail: 'no DaemonSet of kindnet, flannel, calico, cilium runs in kube-system, kube-flannel, calico-system',
    });
  });

  it('a CNI DaemonSet with no pod ready is not running: unknown, and it says so', async () => {
    const r = await detectCni(cluster(daemonSet('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.19.7', 0)));
    expect(r).to.deep.equal({
      status: 'unknown',
      detail: 'no DaemonSet of kindnet, flannel, calico, cilium runs in kube-system, kube-flannel, calico-system; kube-system/cilium has no pod ready',
    });
  });

  it('a stopped CNI beside a running one: the running one', async () => {
    const r = await detectCni(cluster(daemonSet('kube-system', 'kindnet', 'kindest/kindnetd:v1', 0), daemonSet('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.19.7')));
    expect(r).to.deep.include({ status: 'detected', cni: 'cilium' });
  });

  it('two CNIs running: unknown rather than a guess', async () => {
    const r = await detectCni(cluster(daemonSet('kube-system', 'kindnet', 'kindest/kindnetd:v1'), daemonSet('calico-system', 'calico-node', 'calico/node:v3.32.1')));
    expect(r).to.deep.equal({ status: 'unknown', detail: 'DaemonSets of several CNIs run (kindnet: kube-system/kindnet, calico: calico-system/calico-node)' });
  });

  it('not allowed to list a namespace: unknown with the reason, if nothing else is found', async () => {
    const api = cluster();
    const list = api.list.bind(api);
    api.list = async (apiVersion, kind, namespace, selector) => {
      if (namespace === 'calico-system') throw Object.assign(new Error('forbidden'), { code: 403 });
      return list(apiVersion, kind, namespace, selector);
    };
    expect(await detectCni(api)).to.deep.equal({
      status: 'unknown',
      detail: 'no DaemonSet of kindnet, flannel, calico, cilium runs in kube-system, kube-flannel, calico-system; not allowed to list DaemonSets in calico-system',
    });
  });

  it('an unreachable cluster is an error, not an unknown CNI', async () => {
    const api = cluster();
    api.list = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    };
    let error: Error | undefined;
    await detectCni(api).catch((e: Error) => (error = e));
    expect(error?.message).to.equal('connect ECONNREFUSED 127.0.0.1:6443');
  });

  it('reads the tag of an image reference', () => {
    expect(imageTag('localhost:5000/calico/node:v3.32.1@sha256:abc')).to.equal('v3.32.1');
    expect(imageTag('localhost:5000/calico/node')).to.equal('');
    expect(imageTag('cilium@sha256:abc')).to.equal('');
    expect(imageTag('')).to.equal('');
  });
});
