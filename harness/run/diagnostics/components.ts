/** A cluster component whose pods diagnostics look at: where its pods run, how they are labelled, which container logs. */
export interface Component {
  /** Namespaces its usual installs put it in, most likely first. */
  readonly namespaces: readonly string[];
  readonly labelSelector: string;
  /** The container whose log is read. */
  readonly container: string;
}

/**
 * The agent (per-node DaemonSet pod) of each CNI kconn knows, keyed by the CNI's name in harness/cni/registry.ts, as its
 * upstream manifests label it: kind's kindnet DaemonSet; Flannel's kube-flannel.yml (namespace kube-flannel since
 * v0.20, kube-system before); calico-node from the Tigera operator (calico-system) or calico.yaml (kube-system);
 * the Cilium chart's agent. The one place to extend when a CNI is added.
 */
export const CNI_AGENTS: Readonly<Record<string, Component>> = {
  kindnet: { namespaces: ['kube-system'], labelSelector: 'app=kindnet', container: 'kindnet-cni' },
  flannel: { namespaces: ['kube-flannel', 'kube-system'], labelSelector: 'app=flannel', container: 'kube-flannel' },
  calico: { namespaces: ['calico-system', 'kube-system'], labelSelector: 'k8s-app=calico-node', container: 'calico-node' },
  cilium: { namespaces: ['kube-system'], labelSelector: 'k8s-app=cilium', container: 'cilium-agent' },
};

/** kube-proxy as kubeadm (and so kind) deploys it. */
export const KUBE_PROXY: Component = { namespaces: ['kube-system'], labelSelector: 'k8s-app=kube-proxy', container: 'kube-proxy' };

/** CoreDNS as kubeadm deploys it (the label is kube-dns for compatibility). */
export const COREDNS: Component = { namespaces: ['kube-system'], labelSelector: 'k8s-app=kube-dns', container: 'coredns' };

/** The cluster DNS Service every pod's resolv.conf points at. */
export const CLUSTER_DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns' } as const;
