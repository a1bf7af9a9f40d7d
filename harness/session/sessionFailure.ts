import type { LoadedProject } from '../load/loadProject.js';
import type { Plan } from '../model/plan.js';
import type { ClusterOutcome } from '../provision/provisioningFailure.js';

/**
 * Provisioning stopped after the inputs were planned (a tool could not be had, a cluster did not come up, the
 * timeout, Ctrl-C): what a report of the run needs to say so. Everything created was already removed (unless --keep).
 */
export class SessionFailure extends Error {
  constructor(
    message: string,
    readonly runId: string,
    readonly plan: Plan,
    readonly project: LoadedProject,
    readonly clusters: readonly ClusterOutcome[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SessionFailure';
  }
}
