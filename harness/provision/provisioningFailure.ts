/** How one cluster of a run ended up when provisioning stopped. */
export interface ClusterOutcome {
  readonly name: string;
  /** ready: it came up; failed: one of its own steps failed; stopped: its work was cut short by another failure, the timeout or Ctrl-C. */
  readonly status: 'ready' | 'failed' | 'stopped';
  readonly message?: string;
  /** What its CNI, nodes and kube-system pods looked like (failed clusters that existed). */
  readonly diagnostics?: readonly string[];
}

/** Provisioning did not bring every cluster up; says which did and did not, and why. */
export class ProvisioningFailure extends Error {
  constructor(
    message: string,
    readonly clusters: readonly ClusterOutcome[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProvisioningFailure';
  }
}
