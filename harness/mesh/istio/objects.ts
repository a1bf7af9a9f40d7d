import { dump } from 'js-yaml';
import type { ClusterCaFiles } from './caChain.js';
import {
  CACERTS_KEYS,
  CACERTS_SECRET,
  CLUSTER_ANNOTATION,
  CROSS_NETWORK_PORT,
  EASTWEST_SELECTOR,
  ISTIO_NAMESPACE,
  MULTICLUSTER_SECRET_LABEL,
  NETWORK_LABEL,
  READER_SERVICE_ACCOUNT,
  READER_TOKEN_SECRET,
  REMOTE_SECRET_PREFIX,
} from './pins.js';

/** The Kubernetes objects the Istio provider applies, as plain data. Pure. */

type Obj = Record<string, unknown>;

/** istio-system, labelled with the cluster's network before istiod starts (multi-primary multi-network guide, step 1). */
export function istioNamespace(network: string): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ISTIO_NAMESPACE, labels: { [NETWORK_LABEL]: network } } };
}

/**
 * The Gateway that exposes every service of the cluster to the other networks through the east-west gateway: TLS
 * AUTO_PASSTHROUGH on 15443 for `*.local` (istio/istio samples/multicluster/expose-services.yaml).
 */
export function crossNetworkGateway(): Obj {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'cross-network-gateway', namespace: ISTIO_NAMESPACE },
    spec: {
      selector: { ...EASTWEST_SELECTOR },
      servers: [{ port: { number: CROSS_NETWORK_PORT, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }],
    },
  };
}

/** A long-lived token of istio-reader-service-account (Kubernetes fills in `token` and `ca.crt`). */
export function readerTokenSecret(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: { name: READER_TOKEN_SECRET, namespace: ISTIO_NAMESPACE, annotations: { 'kubernetes.io/service-account.name': READER_SERVICE_ACCOUNT } },
  };
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The `cacerts` secret of one cluster (data, base64): what istiod signs workload certificates with. */
export function cacertsSecret(files: ClusterCaFiles): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE },
    data: Object.fromEntries(CACERTS_KEYS.map((k) => [k, base64(files[k])])),
  };
}

/**
 * The kubeconfig istiod of another cluster uses to watch `cluster`: its API at `server` (the control plane's address
 * on the kind network, https://<ip>:6443; never the host's 127.0.0.1 port, istio/istio#58047 and #31081), the cluster
 * CA, and the reader token; the shape `istioctl create-remote-secret` writes (remote_secret.go).
 */
export function remoteKubeconfig(cluster: string, server: string, caCrt: string, token: string): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server, 'certificate-authority-data': base64(caCrt) } }],
    users: [{ name: cluster, user: { token } }],
    contexts: [{ name: cluster, context: { cluster, user: cluster } }],
    'current-context': cluster,
    preferences: {},
  });
}

/** The remote secret that lets a cluster's istiod discover the endpoints of `cluster`. */
export function remoteSecret(cluster: string, kubeconfig: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: `${REMOTE_SECRET_PREFIX}${cluster}`,
      namespace: ISTIO_NAMESPACE,
      labels: { [MULTICLUSTER_SECRET_LABEL]: 'true' },
      annotations: { [CLUSTER_ANNOTATION]: cluster },
    },
    data: { [cluster]: base64(kubeconfig) },
  };
}
