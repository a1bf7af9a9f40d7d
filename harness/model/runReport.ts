import type { ProbeResult } from './probe.js';

/**
 * How one suite test ended, after every attempt. `expected-difference`: it failed where a known difference its suite
 * depends on holds for the CNI version (harness/cni/knownDifferences.ts); neither a pass nor a failure.
 */
export type TestStatus = 'pass' | 'fail' | 'error' | 'skip' | 'expected-difference';

/** The known difference that explains an `expected-difference` result: its id, the reason and the upstream source. */
export interface ExpectedDifference {
  readonly id: string;
  /** The CNI and version it held for: `cilium 1.19.1`. */
  readonly cni: string;
  readonly reason: string;
  readonly source: string;
}

/**
 * What kind of skip a skipped test is, when it is more than a plain skip. `unsupported`: the cluster lacks a capability
 * the suite requires, so the result says something about the CNI: the plan skipped the suite for its `requires`
 * (harness/plan/suiteSelection.ts), or the NetworkPolicy control found that the cluster does not enforce policy
 * (harness/run/policyControl.ts). Other skips (clusters not in the topology, a provisioning failure, probes kconn cannot
 * send yet, a run without the external endpoint) have none.
 */
export type SkipKind = 'unsupported';

export interface TestOutcome {
  readonly suite: string;
  /** Test name; for tests that run from every cluster, suffixed with ` [cluster]`. */
  readonly name: string;
  /** Cluster the probes ran from. */
  readonly cluster?: string;
  readonly status: TestStatus;
  /** What should have happened, in words (fail). */
  readonly expected?: string;
  /** What happened, in words (fail and error). */
  readonly observed?: string;
  /** Why it was skipped, or the infrastructure error. */
  readonly message?: string;
  /** Status `skip` only: set when the cluster lacks a capability the suite requires (`message` says which). */
  readonly skipKind?: SkipKind;
  /** A command that reproduces a failing probe by hand. */
  readonly reproduce?: string;
  readonly durationMs: number;
  readonly attempts: number;
  /** Passed only after a retry. */
  readonly flaky?: boolean;
  /** Flaky passes: what the first failed attempt observed (`attempt N: ...`). */
  readonly firstFailure?: string;
  /** Why a failure is an expected difference (status `expected-difference`). */
  readonly difference?: ExpectedDifference;
  /** What was collected because the test did not pass (harness/run/diagnostics/). */
  readonly diagnostics?: TestDiagnostics;
  /** Every probe result behind this test (one per source pod, last attempt). */
  readonly results: readonly ProbeResult[];
}

/** A skip because the cluster lacks a capability the suite requires: "not supported" in the reports. */
export function isUnsupported(t: Pick<TestOutcome, 'status' | 'skipKind'>): boolean {
  return t.status === 'skip' && t.skipKind === 'unsupported';
}

/** Where the diagnostics of a test that did not pass were written, and the source address they found. */
export interface TestDiagnostics {
  /** The folder: `<reports>/<run-id>/diagnostics/<suite>/<test>`. */
  readonly path: string;
  /** IP of the source pod of the failing probe, when it was found. */
  readonly sourceIp?: string;
}

export interface SuiteOutcome {
  readonly name: string;
  readonly file: string;
  readonly tests: readonly TestOutcome[];
  readonly durationMs: number;
}

export interface ClusterInfo {
  readonly name: string;
  /** The kind cluster kconn created; absent for a cluster the user already had (`run --kubeconfig`). */
  readonly kindName?: string;
  /** The kubeconfig context of a cluster the user already had. */
  readonly context?: string;
  readonly cni: string;
  readonly cniVersion: string;
  /** The kind node image the cluster ran on; absent for a cluster the user already had. */
  readonly nodeImage?: string;
}

/** How long one phase of a run took: a cluster's creation, its CNI, the images, a suite's apply, wait or probes. */
export interface PhaseTiming {
  readonly phase: string;
  readonly cluster?: string;
  readonly suite?: string;
  readonly ms: number;
}

/** Everything one run produced; written as results.json and turned into JUnit XML. */
export interface RunReport {
  readonly runId: string;
  readonly topology: string;
  readonly kindVersion: string;
  readonly kubernetesVersion: string;
  readonly clusters: readonly ClusterInfo[];
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Per phase, in the order they ended. */
  readonly timings?: readonly PhaseTiming[];
  readonly suites: readonly SuiteOutcome[];
}
