import type { Capability } from '../model/capability.js';
import type { MeshStep } from '../model/plan.js';
import type { KubeProxyMode } from '../model/topology.js';
import type { VersionPolicy } from '../model/versionPolicy.js';

export interface MeshCluster {
  readonly name: string;
  readonly kindName: string;
  readonly cni: string;
  readonly cniOptions?: Readonly<Record<string, unknown>>;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly kubeProxyMode: KubeProxyMode;
  /** Nodes kind creates for it: `<kindName>-control-plane`, `<kindName>-worker`, `<kindName>-worker2`, ... */
  readonly workers: number;
  /** The kubeconfig kind writes (server https://127.0.0.1:<port>): for the host only. */
  readonly kubeconfig: string;
  /** The same credentials with the server at the control plane's address on the kind network: for other clusters. */
  readonly internalKubeconfig: string;
}

export interface MeshContext {
  readonly clusters: readonly MeshCluster[];
  readonly version: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Folder of the run for the provider's host commands and files. */
  readonly workDir: string;
  /** Subnet of the `kind` Docker network when known at plan time (MetalLB address slices). */
  readonly kindNetwork?: string;
}

/** Something about the topology the provider cannot work with, and what the user can change. */
export interface MeshIncompatibility {
  readonly cluster: string;
  readonly message: string;
  readonly fix: string;
  /** The cluster field the problem is about (where validate points); `options`: spec.multicluster.options[option]. */
  readonly concerns: 'cni' | 'kubeProxyMode' | 'podSubnet' | 'serviceSubnet' | 'options';
  /** With concerns `options`: the option's key. */
  readonly option?: string;
}

/** What a provider's runtime code may read of a cluster (structurally a subset of kube/KubeApi). */
export interface MeshKubeView {
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<unknown>;
  list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<readonly unknown[]>;
}

/** What runtime checks and computed objects are handed: the live clusters, by topology name. */
export interface MeshRuntime {
  /** The cluster of the step. */
  readonly cluster: string;
  kube(cluster: string): MeshKubeView;
  /** The control plane's IP on the kind network. */
  address(cluster: string): string;
  readonly workDir: string;
  readonly signal: AbortSignal;
}

/** One look of a poll step: ready, not yet (detail says why), or failed for good. */
export interface MeshReadiness {
  readonly ready: boolean;
  readonly detail: string;
  readonly failed?: boolean;
}

export type MeshCheck = (input: Readonly<Record<string, unknown>>, rt: MeshRuntime) => Promise<MeshReadiness>;
export type MeshCompute = (input: Readonly<Record<string, unknown>>, rt: MeshRuntime) => Promise<readonly Readonly<Record<string, unknown>>[]>;

/**
 * A multi-cluster provider that joins the clusters of a topology. Registered in mesh/registry.ts. Its steps are plain
 * data (MeshStep, printed by kconn plan); what only the run can know lives in `checks` and `compute`, named by the
 * steps. provision/meshStepRunner.ts runs them.
 */
export interface MeshProvider {
  readonly name: string;
  readonly description: string;
  readonly defaultVersion: string;
  readonly versions: VersionPolicy;
  readonly optionsSchema: Readonly<Record<string, unknown>>;
  readonly capabilities: readonly Capability[];
  /** The capabilities with these options, when they depend on them (default: capabilities). */
  capabilitiesFor?(options: Readonly<Record<string, unknown>>): readonly Capability[];
  /**
   * Whether the joined clusters' pod and service subnets may overlap (Submariner's Globalnet), and the option that
   * allows it, offered in the refusal when they overlap without it. Absent: they must never overlap.
   */
  readonly overlappingSubnets?: { allowed(options: Readonly<Record<string, unknown>>): boolean; readonly fix: string };
  /** Problems with the topology this provider cannot work with, one message per problem. */
  incompatibilities(ctx: MeshContext): MeshIncompatibility[];
  steps(ctx: MeshContext): MeshStep[];
  /** Host commands whose output helps when a step fails (their output goes into the diagnostics). */
  failureCommands?(ctx: MeshContext): string[][];
  /** Readiness checks poll steps name. */
  readonly checks?: Readonly<Record<string, MeshCheck>>;
  /** Object builders apply-computed steps name. */
  readonly compute?: Readonly<Record<string, MeshCompute>>;
}
