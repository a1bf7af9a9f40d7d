import type { KubeApi } from '../kube/kubeApi.js';
import type { PhaseTiming } from '../model/runReport.js';
import type { ClusterValues } from '../model/topologyValues.js';
import type { PodExec } from '../probe/podExec.js';
import type { CleanupRegistry } from '../provision/cleanup.js';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly ip?: string;
}

/** One cluster as the runner sees it: its API and a way to exec into its pods. */
export interface ClusterAccess {
  readonly name: string;
  readonly api: KubeApi;
  execFor(pod: PodRef): PodExec;
}

/** The run's external endpoint, as the tests see it (harness/external/ starts it; runCommand passes it on). */
export interface RunExternalEndpoint {
  /** Its address: what `to: {external: true}` probes. */
  readonly ip: string;
  /** The name its DNS serves and its certificate holds (external.kconn.test). */
  readonly name: string;
  /** The run's CA (PEM): written into source pods of tests with `tls: {ca: run}`. */
  readonly caPem: string;
  /** Issues a server certificate of the run's CA for these names (a suite's `certificates`). */
  issue?(names: readonly string[], opts?: { readonly expired?: boolean }): Promise<{ readonly certPem: string; readonly keyPem: string }>;
  /** How long a cluster's CoreDNS may take to forward the zone before tests of the name are errors. Default 150 s. */
  readonly dnsWaitMs?: number;
}

export interface SuiteRunOptions {
  readonly clusters: ReadonlyMap<string, ClusterAccess>;
  /** Namespace of this run (kconn-<run-id>): manifest objects that name no namespace go there, and so do tests. */
  readonly runNamespace: string;
  readonly cleanup: CleanupRegistry;
  readonly keep: boolean;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
  readonly readyTimeoutMs: number;
  readonly execConcurrency?: number;
  /** Told how long each phase of a suite took (control, apply, wait, probe). */
  readonly onTiming?: (timing: PhaseTiming) => void;
  /** The run's reports folder (reports/<run-id>): tests that do not pass get diagnostics in its diagnostics/ folder. */
  readonly diagnosticsDir?: string;
  /** The planned clusters' values that suite manifests may name (`${clusters.<name>.podSubnet}`). */
  readonly topologyValues?: ReadonlyMap<string, ClusterValues>;
  /** The run's external endpoint, when a running suite needs it; tests that need it error without it. */
  readonly external?: RunExternalEndpoint;
}
