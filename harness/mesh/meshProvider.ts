import type { Capability } from '../model/capability.js';
import type { PlanStep } from '../model/plan.js';
import type { KubeProxyMode } from '../model/topology.js';
import type { VersionPolicy } from '../model/versionPolicy.js';

export interface MeshCluster {
  readonly name: string;
  readonly kindName: string;
  readonly cni: string;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly kubeProxyMode: KubeProxyMode;
}

export interface MeshContext {
  readonly clusters: readonly MeshCluster[];
  readonly version: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Something about one cluster that the provider cannot work with, and what the user can change. */
export interface MeshIncompatibility {
  readonly cluster: string;
  readonly message: string;
  readonly fix: string;
  /** The cluster field the problem is about (where validate points). */
  readonly concerns: 'cni' | 'kubeProxyMode';
}

/** A multi-cluster provider that joins the clusters of a topology. Registered in mesh/registry.ts. */
export interface MeshProvider {
  readonly name: string;
  readonly description: string;
  readonly defaultVersion: string;
  readonly versions: VersionPolicy;
  readonly optionsSchema: Readonly<Record<string, unknown>>;
  readonly capabilities: readonly Capability[];
  /** Problems with the topology this provider cannot work with, one message per problem. */
  incompatibilities(ctx: MeshContext): MeshIncompatibility[];
  steps(ctx: MeshContext): PlanStep[];
}
