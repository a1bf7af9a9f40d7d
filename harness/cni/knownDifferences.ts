import { compareVersions, parseSemVer } from '../model/semver.js';

/**
 * What each CNI, as kconn installs it, does with the parts of the NetworkPolicy API where CNIs differ, and the known
 * differences a matrix shows as "expected difference (reason, source)" rather than as a failure. One table, versioned
 * (each entry holds for a range of the CNI's versions), every entry with the upstream page it comes from. Pure data.
 *
 * "As kconn installs it" matters: Cilium supports SCTP only with the Helm value `sctp.enabled=true`, which kconn does
 * not set, so SCTP is `unsupported` here although Cilium can do it.
 */

/** Parts of the NetworkPolicy API where CNIs are known to differ. */
export const CNI_FEATURES = ['networkPolicy', 'endPort', 'sctp', 'ipBlockPodIps', 'hostNetwork'] as const;
export type CniFeature = (typeof CNI_FEATURES)[number];

/** What each feature means, in the words `kconn cnis` and the README use. */
export const FEATURE_TITLES: Readonly<Record<CniFeature, string>> = {
  networkPolicy: 'enforces NetworkPolicy',
  endPort: 'port ranges (`endPort`)',
  sctp: 'SCTP in NetworkPolicy',
  ipBlockPodIps: '`ipBlock` matching pod IPs',
  hostNetwork: 'policy on host-network traffic',
};

/** `unsupported` includes "accepted by the API server and not enforced"; `unknown`: no upstream statement recorded. */
export type Support = 'supported' | 'unsupported' | 'partial' | 'unknown';

/** The CNI versions an entry holds for: `from` inclusive, `before` exclusive; both absent = every version. */
export interface VersionRange {
  readonly from?: string;
  readonly before?: string;
}

export interface FeatureFact {
  readonly cni: string;
  readonly feature: CniFeature;
  readonly versions: VersionRange;
  readonly support: Support;
  /** One line, for people. */
  readonly note: string;
  /** Upstream page that states it. */
  readonly source: string;
}

/** A behaviour of a CNI that differs from the NetworkPolicy API (or from the other CNIs) on purpose or by limitation. */
export interface KnownDifference {
  /** Stable id a suite or truth-table cell can name (`dependsOn`). */
  readonly id: string;
  readonly cni: string;
  readonly versions: VersionRange;
  /** The features whose tests it explains. */
  readonly features: readonly CniFeature[];
  /** The reason, in one line. */
  readonly reason: string;
  readonly source: string;
}

const K8S_NETPOL = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';
const CILIUM_K8S_POLICY = 'https://docs.cilium.io/en/stable/network/kubernetes/policy/';

export const FEATURE_FACTS: readonly FeatureFact[] = [
  // kindnet (kind's own CNI; kconn takes no version for it)
  {
    cni: 'kindnet',
    feature: 'networkPolicy',
    versions: {},
    support: 'supported',
    note: 'through sigs.k8s.io/kube-network-policies, since kind v0.24.0',
    source: 'https://github.com/kubernetes-sigs/kind/pull/3612',
  },
  // flannel
  {
    cni: 'flannel',
    feature: 'networkPolicy',
    versions: {},
    support: 'unsupported',
    note: 'flanneld does not enforce NetworkPolicy; kconn installs the plain kube-flannel.yml',
    source: 'https://pkg.go.dev/github.com/flannel-io/flannel@v0.28.9',
  },
  ...(['endPort', 'sctp', 'ipBlockPodIps'] as const).map(
    (feature): FeatureFact => ({
      cni: 'flannel',
      feature,
      versions: {},
      support: 'unsupported',
      note: 'no NetworkPolicy is enforced at all',
      source: 'https://pkg.go.dev/github.com/flannel-io/flannel@v0.28.9',
    }),
  ),
  // calico
  {
    cni: 'calico',
    feature: 'networkPolicy',
    versions: {},
    support: 'supported',
    note: 'Felix enforces Kubernetes NetworkPolicy',
    source: 'https://docs.tigera.io/calico/latest/network-policy/',
  },
  {
    cni: 'calico',
    feature: 'endPort',
    versions: {},
    support: 'supported',
    note: 'NetworkPolicy port ranges are translated to Calico port ranges',
    source: 'https://github.com/projectcalico/calico/issues/4249',
  },
  {
    cni: 'calico',
    feature: 'sctp',
    versions: {},
    support: 'supported',
    note: 'SCTP ports in policy rules and named ports',
    source: 'https://github.com/projectcalico/libcalico-go/pull/1182',
  },
  // cilium
  {
    cni: 'cilium',
    feature: 'networkPolicy',
    versions: {},
    support: 'supported',
    note: 'the Cilium agent enforces NetworkPolicy',
    source: CILIUM_K8S_POLICY,
  },
  {
    cni: 'cilium',
    feature: 'endPort',
    versions: { before: '1.16.0' },
    support: 'unsupported',
    note: 'endPort accepted and ignored before 1.16',
    source: 'https://github.com/cilium/cilium/issues/28684',
  },
  {
    cni: 'cilium',
    feature: 'endPort',
    versions: { from: '1.16.0' },
    support: 'supported',
    note: 'port ranges in network policies since 1.16.0',
    source: 'https://github.com/cilium/cilium/pull/33463',
  },
  {
    cni: 'cilium',
    feature: 'sctp',
    versions: {},
    support: 'unsupported',
    note: 'beta, only with Helm value sctp.enabled=true, which kconn does not set',
    source: 'https://docs.cilium.io/en/stable/configuration/sctp/',
  },
  {
    cni: 'cilium',
    feature: 'ipBlockPodIps',
    versions: {},
    support: 'unsupported',
    note: 'ipBlock does not select pods (known missing feature, cilium#9209); nodes only with policyCIDRMatchMode=nodes (1.15+)',
    source: CILIUM_K8S_POLICY,
  },
  {
    cni: 'cilium',
    feature: 'hostNetwork',
    versions: {},
    support: 'partial',
    note: 'traffic from a node is the host/remote-node identity, not an ipBlock address',
    source: 'https://github.com/cilium/cilium/issues/16308',
  },
];

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'flannel-no-networkpolicy',
    cni: 'flannel',
    versions: {},
    features: ['networkPolicy', 'endPort', 'sctp', 'ipBlockPodIps'],
    reason: 'Flannel enforces no NetworkPolicy: every policy is ignored and traffic stays open',
    source: 'https://pkg.go.dev/github.com/flannel-io/flannel@v0.28.9',
  },
  {
    id: 'cilium-ipblock-pod-ip',
    cni: 'cilium',
    versions: {},
    features: ['ipBlockPodIps'],
    reason: 'Cilium does not match ipBlock against pod IPs (pods are selected by identity); ipBlock selects nodes only with policyCIDRMatchMode=nodes',
    source: CILIUM_K8S_POLICY,
  },
  {
    id: 'cilium-endport-ignored',
    cni: 'cilium',
    versions: { before: '1.16.0' },
    features: ['endPort'],
    reason: 'Cilium before 1.16 accepts endPort and enforces only the first port of the range',
    source: 'https://github.com/cilium/cilium/issues/28684',
  },
  {
    id: 'cilium-sctp-disabled',
    cni: 'cilium',
    versions: {},
    features: ['sctp'],
    reason: 'SCTP is a beta feature of Cilium, off unless sctp.enabled=true (kconn does not enable it)',
    source: 'https://docs.cilium.io/en/stable/configuration/sctp/',
  },
  {
    id: 'cilium-host-identity',
    cni: 'cilium',
    versions: {},
    features: ['hostNetwork'],
    reason: 'Cilium classifies traffic from a node as the host or remote-node entity, not by its IP in an ipBlock',
    source: 'https://github.com/cilium/cilium/issues/16308',
  },
  {
    id: 'hostnetwork-undefined',
    cni: '*',
    versions: {},
    features: ['hostNetwork'],
    reason: 'NetworkPolicy behaviour for hostNetwork pods is undefined by Kubernetes; CNIs differ',
    source: `${K8S_NETPOL}#networkpolicy-and-hostnetwork-pods`,
  },
];

/** True when `version` is in `range`; a version that is not semver (kindnet's `bundled`) is in the open range only. */
export function inRange(version: string, range: VersionRange): boolean {
  if (range.from === undefined && range.before === undefined) return true;
  if (parseSemVer(version) === undefined) return false;
  if (range.from !== undefined && compareVersions(version, range.from) < 0) return false;
  if (range.before !== undefined && compareVersions(version, range.before) >= 0) return false;
  return true;
}

/** The range in words: `all versions`, `>= 1.16.0`, `< 1.16.0`, `>= 1.0.0, < 2.0.0`. */
export function describeRange(range: VersionRange): string {
  const parts = [range.from !== undefined ? `>= ${range.from}` : undefined, range.before !== undefined ? `< ${range.before}` : undefined].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length === 0 ? 'all versions' : parts.join(', ');
}

/** The support of every feature for this CNI version; a feature with no entry is `unknown` (with no source). */
export function featuresOf(cni: string, version: string): Record<CniFeature, FeatureFact | { support: 'unknown' }> {
  const out = {} as Record<CniFeature, FeatureFact | { support: 'unknown' }>;
  for (const feature of CNI_FEATURES) {
    out[feature] = FEATURE_FACTS.find((f) => f.cni === cni && f.feature === feature && inRange(version, f.versions)) ?? { support: 'unknown' };
  }
  return out;
}

/** Known differences that hold for this CNI version (those of every CNI, `cni: '*'`, included). */
export function differencesOf(cni: string, version: string): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter((d) => (d.cni === cni || d.cni === '*') && inRange(version, d.versions));
}

export function findDifference(id: string): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((d) => d.id === id);
}
