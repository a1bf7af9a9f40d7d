import type { Capability } from '../model/capability.js';
import type { DiagnosticQuery, PlanStep } from '../model/plan.js';
import type { KubeProxyMode } from '../model/topology.js';
import type { VersionPolicy } from '../model/versionPolicy.js';

/** What a CNI module knows about the cluster it is planned for. */
export interface CniContext {
  /** Name in the topology. */
  readonly cluster: string;
  /** Name handed to kind (kconn-<run>-<cluster>); node containers are <kindName>-control-plane, <kindName>-worker... */
  readonly kindName: string;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly nodeCount: number;
  readonly version: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Absolute folder for downloaded artifacts, shared by every run. */
  readonly cacheDir: string;
  /** Absolute folder of this cluster in this run (kind config, kubeconfig, files its nodes mount). */
  readonly clusterDir: string;
  /** Docker/Go architecture name of the host: amd64 or arm64. */
  readonly arch: string;
  /** The kube-proxy mode the cluster gets (absent only while that mode is being decided). */
  readonly kubeProxyMode?: KubeProxyMode;
}

export interface ExtraMount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

/** What a CNI adds to the kind Cluster config. */
export interface KindConfigContribution {
  readonly disableDefaultCNI: boolean;
  /** A kube-proxy mode the CNI needs with these options (e.g. `none` for Cilium's kube-proxy replacement). */
  readonly kubeProxyMode?: KubeProxyMode;
  /** Mounted into every node. */
  readonly extraMounts?: readonly ExtraMount[];
}

/** One CNI: everything the rest of kconn needs to know about it. Registered in cni/registry.ts. */
export interface CniPlugin {
  readonly name: string;
  readonly description: string;
  readonly defaultVersion: string;
  /** Versions the install steps hold for; absent when the CNI comes with kind and takes no version. */
  readonly versions?: VersionPolicy;
  /** JSON Schema of `cni.options` (an object schema with additionalProperties: false). */
  readonly optionsSchema: Readonly<Record<string, unknown>>;
  capabilities(options: Readonly<Record<string, unknown>>): Capability[];
  kindConfig(ctx: CniContext): KindConfigContribution;
  /** Steps that must run on the host before `kind create cluster`. */
  preCreateSteps(ctx: CniContext): PlanStep[];
  /** Steps that install the CNI into the new cluster. */
  installSteps(ctx: CniContext): PlanStep[];
  /** Polled readiness checks after the install, before the common node/CoreDNS waits. */
  readinessSteps(ctx: CniContext): PlanStep[];
  /** What to look at when the CNI does not come up: its pods and status objects. */
  diagnostics(ctx: CniContext): DiagnosticQuery[];
}

/** Pods of a CNI component, for diagnostics. */
export function podsOf(summary: string, namespace: string, labelSelector: string): DiagnosticQuery {
  return { summary, apiVersion: 'v1', kind: 'Pod', namespace, labelSelector };
}

export const CNI_WAIT_TIMEOUT = '5m';
