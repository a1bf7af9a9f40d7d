import type { ControlTarget, ProbeOutcome, ProbeSpec } from '../model/probe.js';
import type { PodExec } from './podExec.js';

/** One probe to run from a source. */
export interface ProbeRequest {
  readonly id: string;
  readonly spec: ProbeSpec;
  /** Poll inside the source until this outcome holds (eventual consistency, e.g. after a policy is applied). */
  readonly until?: { readonly outcome: ProbeOutcome; readonly httpStatus?: number; readonly withinMs: number; readonly intervalMs?: number };
}

export interface BatchOptions {
  /**
   * A target known to answer from this source (the cluster DNS service, a known server): its TCP connect is the
   * batch's positive control. Without it every negative outcome is re-run alone to be confirmed.
   */
  readonly control?: ControlTarget;
  /** Most probes in flight inside the source at once; DEFAULT_PROBE_CAP when absent. */
  readonly cap?: number;
}

export interface SourceBatch extends BatchOptions {
  readonly exec: PodExec;
  readonly requests: readonly ProbeRequest[];
}
