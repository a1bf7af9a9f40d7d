import type { SourceRef } from './source.js';

/**
 * Something a test does to the cluster before its probes: scale a Deployment of the suite's manifests (e.g. to 0, to
 * take a local backend away), then wait until exactly that many of its pods run. A test with actions runs after the
 * suite's other tests, one at a time in file order, and what it changed stays for the tests after it.
 */
export interface ScaleAction {
  readonly kind: 'scale';
  /** Absent: every cluster the suite applies the Deployment to. */
  readonly cluster?: string;
  /** Absent: the run's own namespace. */
  readonly namespace?: string;
  readonly name: string;
  readonly replicas: number;
  readonly source: SourceRef;
}

/**
 * Writes the EndpointSlice of a Service without a selector (of the suite's manifests): one ready endpoint per ready
 * pod that `selector` matches in the Service's namespace, with the Service's ports (their numeric targetPorts).
 */
export interface EndpointSliceAction {
  readonly kind: 'endpointSlice';
  /** Absent: every cluster the suite applies the Service to. */
  readonly cluster?: string;
  /** Absent: the run's own namespace. */
  readonly namespace?: string;
  /** The Service's name. */
  readonly name: string;
  /** The pods whose addresses become its endpoints. */
  readonly selector: string;
  readonly source: SourceRef;
}

export type TestAction = ScaleAction | EndpointSliceAction;
