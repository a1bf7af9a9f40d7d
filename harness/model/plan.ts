import type { Capability } from './capability.js';
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
export type PlanStep =
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
  | { readonly action: 'exec'; readonly summary: string; readonly argv: readonly string[] };

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
  readonly tests: number;
}

export interface Plan {
  readonly topology: string;
  readonly topologyFile: string;
  readonly runId: string;
  readonly kindVersion: string;
  readonly kubernetesVersion: string;
  readonly clusters: readonly ClusterPlan[];
  readonly multicluster?: { readonly provider: string; readonly version: string; readonly steps: readonly PlanStep[] };
  readonly suites: readonly SuitePlan[];
  /** Subnets the plan kept clear of, with why. */
  readonly reserved: readonly { readonly cidr: string; readonly reason: string }[];
}
