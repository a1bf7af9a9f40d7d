import type { Capability } from './capability.js';
import type { SkipKind } from './runReport.js';
import type { KubeProxyMode } from './topology.js';

/**
 * An edit of one object of an upstream manifest before it is applied: the JSON document held in a ConfigMap data key
 * is deep-merged with `merge` (e.g. Flannel's net-conf.json Network = the cluster's podSubnet).
 */
export interface ManifestPatch {
  readonly summary: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly dataKey: string;
  readonly merge: Readonly<Record<string, unknown>>;
}

/** One thing provisioning will do, in order. Every variant is plain data, so a plan can be printed and diffed. */
export type PlanStep = (
  | {
      readonly action: 'download';
      readonly summary: string;
      readonly url: string;
      readonly sha256?: string;
      /** Shared folder the archive is extracted into once, then never changed. */
      readonly into: string;
      /** Files copied from it into a folder of this cluster's own (what its nodes mount). */
      readonly copy?: { readonly to: string; readonly files: readonly string[] };
    }
  | { readonly action: 'kind-create'; readonly summary: string; readonly argv: readonly string[] }
  | {
      readonly action: 'apply';
      readonly summary: string;
      readonly url: string;
      /** How the harness edits the upstream file before applying it. */
      readonly patches?: readonly ManifestPatch[];
      readonly serverSide: boolean;
    }
  | { readonly action: 'apply-object'; readonly summary: string; readonly object: Readonly<Record<string, unknown>> }
  /**
   * Container images the next steps run, loaded into the cluster's nodes from the host's Docker (pulled there first
   * when missing), as the suites' images are; an image that cannot be loaded is a warning, and the nodes pull it.
   */
  | { readonly action: 'load-images'; readonly summary: string; readonly images: readonly string[] }
  | {
      readonly action: 'helm-install';
      readonly summary: string;
      readonly release: string;
      readonly repo: string;
      readonly chart: string;
      readonly version: string;
      readonly namespace: string;
      readonly values: Readonly<Record<string, unknown>>;
    }
  | {
      readonly action: 'wait';
      readonly summary: string;
      readonly resource: string;
      readonly namespace?: string;
      readonly name?: string;
      readonly condition: string;
      readonly timeout: string;
    }
  | ExecStep) & {
  /** The phase its time counts to in the run's timings (default: by its action: cluster create, CNI install, ready). */
  readonly phase?: string;
};

/**
 * A command run on the host, without a shell. argv[0] names the tool: a tool kconn pins (`subctl`, `helm`, `kind`) is
 * found on PATH or downloaded and verified like kind; any other is looked up on PATH. Arguments may hold placeholders
 * the runner fills in once the clusters exist (see MESH_PLACEHOLDERS); everything else is printed by `kconn plan`
 * exactly as it runs.
 */
export interface ExecStep {
  readonly action: 'exec';
  readonly summary: string;
  readonly argv: readonly string[];
  /** Working directory (a folder of the run; created when missing). Default: the run folder. */
  readonly cwd?: string;
  /** The most the command may take (a duration: 90s, 5m). Default 10m. */
  readonly timeout?: string;
  /** The command's standard output is a manifest, applied (server-side) to this cluster (e.g. istioctl create-remote-secret). */
  readonly applyStdoutTo?: string;
}

/**
 * Placeholders an exec step's arguments may hold, filled in when the clusters exist: `{server:<cluster>}` is
 * `https://<control-plane IP on the kind network>:6443`, `{address:<cluster>}` that IP alone.
 */
export const MESH_PLACEHOLDERS = /\{(server|address):([a-z0-9]([-a-z0-9]*[a-z0-9])?)\}/g;

type OnCluster<S> = S & {
  /** The topology's name of the cluster the step acts on. */
  readonly cluster: string;
};

/** Labels set on one object of a cluster (merged with its own; a label kconn sets wins). */
export interface LabelStep {
  readonly action: 'label';
  readonly summary: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Polls a readiness check the provider defines (MeshProvider.checks[check]) through the cluster's API until it holds or
 * the timeout passes; never a fixed sleep.
 */
export interface PollStep {
  readonly action: 'poll';
  readonly summary: string;
  readonly check: string;
  /** What the check is handed (plain data, shown by kconn plan). */
  readonly input: Readonly<Record<string, unknown>>;
  readonly timeout: string;
}

/**
 * Objects only known once the run is under way (a certificate kconn generates, a secret built from another cluster's
 * address): MeshProvider.compute[compute](input, runtime) returns them and they are applied to the cluster. The plan
 * shows `input`, never the computed objects (they may hold private keys).
 */
export interface ComputedStep {
  readonly action: 'apply-computed';
  readonly summary: string;
  readonly compute: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * One step of joining the clusters, run in order after every cluster is up. Steps on one cluster name it; exec steps
 * run on the host (their arguments name the kubeconfigs they use).
 */
export type MeshStep =
  | OnCluster<Extract<PlanStep, { action: 'apply' | 'apply-object' | 'helm-install' | 'wait' }>>
  | (ExecStep & { readonly cluster?: string })
  | OnCluster<LabelStep>
  | OnCluster<PollStep>
  | OnCluster<ComputedStep>;

/** Objects to look at when a cluster does not come up: the CNI's pods, its status objects, the nodes. */
export interface DiagnosticQuery {
  readonly summary: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
}

export interface ClusterPlan {
  readonly name: string;
  /** Name handed to kind: kconn-<run>-<name>. */
  readonly kindName: string;
  readonly cni: { readonly name: string; readonly version: string; readonly options: Readonly<Record<string, unknown>> };
  readonly capabilities: readonly Capability[];
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly kubeProxyMode: KubeProxyMode;
  readonly nodeImage: string;
  readonly kindConfig: Readonly<Record<string, unknown>>;
  readonly steps: readonly PlanStep[];
  /** What provisioning reports when this cluster fails to come up. */
  readonly diagnostics: readonly DiagnosticQuery[];
}

export interface SuitePlan {
  readonly name: string;
  readonly file: string;
  readonly status: 'run' | 'skip';
  readonly reason?: string;
  /** Skipped because a cluster lacks a capability the suite `requires`: its tests are "not supported", not plain skips. */
  readonly skipKind?: SkipKind;
  readonly tests: number;
}

export interface Plan {
  readonly topology: string;
  readonly topologyFile: string;
  readonly runId: string;
  readonly kindVersion: string;
  readonly kubernetesVersion: string;
  /** Where every cluster's node image came from: the pin for the Kubernetes version, spec.nodeImage or --node-image. */
  readonly nodeImageOrigin: string;
  readonly clusters: readonly ClusterPlan[];
  readonly multicluster?: MulticlusterPlan;
  readonly suites: readonly SuitePlan[];
  /** Subnets the plan kept clear of, with why. */
  readonly reserved: readonly { readonly cidr: string; readonly reason: string }[];
}

/** How the clusters are joined: the provider's steps, and the files the join hands out. */
export interface MulticlusterPlan {
  readonly provider: string;
  readonly version: string;
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Per cluster, the kubeconfig whose server is the control plane's address on the kind network (reachable from the
   * other clusters' pods and, on Linux, from the host), written with mode 0600 in the run folder, never in a report.
   */
  readonly kubeconfigs: Readonly<Record<string, string>>;
  /** Folder of the run the host commands work in (subctl writes broker-info.subm there). */
  readonly workDir: string;
  readonly steps: readonly MeshStep[];
  /** Host commands whose output goes into the diagnostics when a step fails (e.g. subctl show all); best effort. */
  readonly onFailure: readonly (readonly string[])[];
}
