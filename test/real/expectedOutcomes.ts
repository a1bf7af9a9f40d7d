/**
 * The tests that do not pass on the build machines' real kind clusters, each with why (measured; see the README's
 * status table). A test matched here must end with one of the statuses given, and its message must say `why`: when
 * it passes, or fails for another reason, the entry is stale and the real-cluster test fails.
 */
export interface ExpectedNotPassingEntry {
  /** Matches `<suite> / <test>[ [cluster]]`. */
  readonly match: RegExp;
  readonly statuses: readonly string[];
  /** What kconn must say about it (the test's message). */
  readonly why: RegExp;
  readonly reason: string;
}
export type ExpectedNotPassing = readonly ExpectedNotPassingEntry[];

/**
 * kind's kindnet enforces NetworkPolicy with kube-network-policies, which hands new connections to userspace through
 * an nftables `queue` statement. The build machines' kernel (6.18, /proc/config.gz) has `# CONFIG_NFT_QUEUE is not
 * set`, so kube-network-policies v0.8.0 logs `syncing nftables rules ... netlink receive: no such file or directory`
 * and enforces nothing. kconn's policy control (a deny-all probe before any policy suite) sees the connection
 * succeed, and the policy suites are skipped with that reason instead of passing or failing on a cluster that cannot
 * enforce. On a kernel with nft_queue (any distribution kernel) they run.
 */
const NO_ENFORCEMENT: ExpectedNotPassingEntry = {
  match: /^(netpol-[a-z-]+|network-policy(-[a-z]+)?) \/ .* \[main\]$/,
  statuses: ['skip'],
  why: /does not enforce NetworkPolicy \(control probe still connected under deny-all\)/,
  reason: 'kernel without CONFIG_NFT_QUEUE: kube-network-policies enforces nothing, the policy control says so',
};

/** The default topology has no `spec.gateway`: the gateway suite is skipped there, saying so (it runs on clusters/gateway.yaml). */
const NO_GATEWAY: ExpectedNotPassingEntry = {
  match: /^gateway \/ /,
  statuses: ['skip'],
  why: /no Gateway API and Ingress controller \(the topology has no spec\.gateway\)/,
  reason: 'the default topology installs no gateway; the gateway topology runs the suite',
};

export const EXPECTED_NOT_PASSING: { readonly default: ExpectedNotPassing } = {
  default: [NO_ENFORCEMENT, NO_GATEWAY],
};
