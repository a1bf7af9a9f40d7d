import type { TransportProtocol, TruthTableNamespace, TruthTablePort } from '../../model/suite.js';
import { NAMESPACE_NAME_LABEL, type Labels } from './labels.js';

/**
 * The pods and ports of a truth table, as the evaluator sees them. Every pod serves every port of the grid, each
 * under the container port name `serve-<port>-<protocol>` (lowercase), as the upstream netpol e2e servers do.
 */
export interface Grid {
  readonly namespaces: readonly TruthTableNamespace[];
  readonly ports: readonly TruthTablePort[];
}

export interface GridPod {
  /** `namespace/pod` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** The namespace's labels, `kubernetes.io/metadata.name` included. */
  readonly namespaceLabels: Labels;
  readonly ip?: string;
}

/** The container port name of a grid port: `serve-80-tcp`. At most 15 characters for every TCP/UDP port, and SCTP below 10000. */
export function servePortName(port: number, protocol: TransportProtocol): string {
  return `serve-${port}-${protocol.toLowerCase()}`;
}

/** The labels a namespace carries on a cluster: the declared ones and the name label the API server sets. */
export function namespaceLabels(ns: Pick<TruthTableNamespace, 'name' | 'labels'>): Labels {
  return { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name };
}

/** Every pod of the grid, namespace by namespace, in declaration order. */
export function gridPods(grid: Grid): GridPod[] {
  return grid.namespaces.flatMap((ns) => {
    const nsLabels = namespaceLabels(ns);
    return ns.pods.map((p) => ({
      id: `${ns.name}/${p.name}`,
      namespace: ns.name,
      name: p.name,
      labels: p.labels,
      namespaceLabels: nsLabels,
      ...(p.ip !== undefined ? { ip: p.ip } : {}),
    }));
  });
}
