import { LOAD_BALANCERS, type LoadBalancer } from './loadBalancer.js';

/** `spec.multicluster.options` of an Istio topology, with defaults. */
export interface IstioOptions {
  /** global.meshID, the same in every cluster (multi-primary guide: "meshID must be the same"). */
  readonly meshID: string;
  readonly loadBalancer: LoadBalancer;
}

export const DEFAULT_MESH_ID = 'kconn-mesh';

export const ISTIO_OPTIONS_SCHEMA: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    meshID: {
      type: 'string',
      pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
      description: `a DNS label (lowercase letters, digits, '-'): global.meshID of every cluster, default ${DEFAULT_MESH_ID}`,
    },
    loadBalancer: {
      enum: [...LOAD_BALANCERS],
      description:
        'what gives the east-west gateways their LoadBalancer addresses: metallb (default; kconn installs it, a slice of the kind network per cluster), cloud-provider-kind (you run it on the host), none (refused)',
    },
  },
};

export function istioOptions(raw: Readonly<Record<string, unknown>>): IstioOptions {
  const lb = raw['loadBalancer'];
  return {
    meshID: typeof raw['meshID'] === 'string' ? raw['meshID'] : DEFAULT_MESH_ID,
    loadBalancer: (LOAD_BALANCERS as readonly unknown[]).includes(lb) ? (lb as LoadBalancer) : 'metallb',
  };
}

/** global.network of a cluster: one network per cluster (separate kind clusters have no pod-to-pod routes between them). */
export function networkOf(cluster: string): string {
  return `network-${cluster}`;
}
