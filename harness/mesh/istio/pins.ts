/**
 * Versions and upstream locations the Istio provider installs, each with where it was checked. Pure data.
 */

/**
 * Istio 1.30.5, the newest patch of the 1.30 line found: https://istio.io/latest/zh/news/releases/1.30.x/announcing-1.30.5/
 * (security fixes after 1.30.4 of 2026-08-27; the release lists seen, https://istio.io/latest/news/releases/1.30.x/ and
 * its zh mirror, stop earlier). Newer minors exist (the istio.io footer names 1.31; Homebrew's istioctl formula is at
 * 1.32.0): a topology may name one (multicluster.version, a warning: the steps were written against 1.30). The same
 * version names the base, istiod and gateway charts. Provisioning reads the chart repository's index.yaml before helm
 * runs and stops, naming the versions it lists, when the pin is missing there.
 */
export const ISTIO_VERSION = '1.30.5';

/** The official Helm repository of the base, istiod and gateway charts (istio/istio manifests/charts/gateway/README.md). */
export const ISTIO_CHART_REPO = 'https://istio-release.storage.googleapis.com/charts';

export const ISTIO_NAMESPACE = 'istio-system';

/**
 * MetalLB 0.15.3 (2025-12-04), the newest release on https://metallb.universe.tf/release-notes/ and
 * https://endoflife.date/metallb in the copies seen (a 0.16.0 announcement exists but its date and tag were not
 * checked). Installed "by manifest", the layer-2 only ("native") flavour, as https://metallb.universe.tf/installation/
 * describes; configured with IPAddressPool and L2Advertisement (metallb.io/v1beta1; the ConfigMap of MetalLB < 0.13
 * is gone, https://metallb.universe.tf/configuration/).
 */
export const METALLB_VERSION = '0.15.3';

export function metallbManifestUrl(version: string = METALLB_VERSION): string {
  return `https://raw.githubusercontent.com/metallb/metallb/v${version}/config/manifests/metallb-native.yaml`;
}

export const METALLB_NAMESPACE = 'metallb-system';

/**
 * The east-west gateway: the `gateway` chart with `networkGateway` set renders the Service ports 15021 (status),
 * 15443 (cross-network mTLS), 15012 (istiod) and 15017 (webhook) and the env ISTIO_META_REQUESTED_NETWORK_VIEW, and
 * labels pods `istio: eastwestgateway` (the name without "istio-"): istio/istio manifests/charts/gateway/templates/
 * service.yaml, deployment.yaml, _helpers.tpl.
 */
export const EASTWEST_GATEWAY = 'istio-eastwestgateway';
export const EASTWEST_SELECTOR = { istio: 'eastwestgateway' } as const;
export const CROSS_NETWORK_PORT = 15443;
export const EASTWEST_PORTS = [15021, 15443, 15012, 15017] as const;

/** The label istiod reads for the default network of a cluster's workloads (multi-primary multi-network guide). */
export const NETWORK_LABEL = 'topology.istio.io/network';

/**
 * Remote secrets as `istioctl create-remote-secret` writes them (istio/istio istioctl/pkg/multicluster/
 * remote_secret.go): Secret `istio-remote-secret-<cluster>` in istio-system, label `istio/multiCluster: "true"`,
 * annotation `networking.istio.io/cluster: <cluster>`, one data key named after the cluster holding a kubeconfig with
 * the bearer token of `istio-reader-service-account`.
 */
export const REMOTE_SECRET_PREFIX = 'istio-remote-secret-';
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';
export const CLUSTER_ANNOTATION = 'networking.istio.io/cluster';
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/** Since Kubernetes 1.24 no token Secret is made for a ServiceAccount by itself; istioctl's users create this one. */
export const READER_TOKEN_SECRET = 'istio-reader-service-account-istio-remote-secret-token';

/**
 * The plug-in CA secret istiod reads at start (https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/;
 * tools/certs/Makefile.selfsigned.mk): created before istiod is installed, or istiod signs with a root of its own and
 * cross-cluster mTLS fails.
 */
export const CACERTS_SECRET = 'cacerts';
export const CACERTS_KEYS = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;
