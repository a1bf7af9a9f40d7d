import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from './kubeApi.js';

/** A DaemonSet that tells which CNI a cluster runs: in one of DETECTION_NAMESPACES, by name. */
export interface CniSignature {
  /** A CNI of harness/cni/registry.ts. */
  readonly cni: string;
  readonly namespaces: readonly string[];
  readonly name: RegExp;
}

/**
 * The DaemonSet of each CNI kconn knows, where its usual installs put it: kind's kindnet; Flannel's kube-flannel.yml
 * (its own namespace since v0.20, kube-system before, `-amd64` suffixes in old releases); Calico through the Tigera
 * operator (calico-system) or calico.yaml (kube-system, also what GKE's network policy runs); Cilium's chart.
 */
export const CNI_SIGNATURES: readonly CniSignature[] = [
  { cni: 'kindnet', namespaces: ['kube-system'], name: /^kindnet$/ },
  { cni: 'flannel', namespaces: ['kube-flannel', 'kube-system'], name: /^kube-flannel-ds(-[a-z0-9]+)?$/ },
  { cni: 'calico', namespaces: ['calico-system', 'kube-system'], name: /^calico-node$/ },
  { cni: 'cilium', namespaces: ['kube-system'], name: /^cilium$/ },
];

/** Where CNI DaemonSets are looked for. */
export const DETECTION_NAMESPACES: readonly string[] = [...new Set(CNI_SIGNATURES.flatMap((s) => s.namespaces))];

export type DetectedCni =
  | {
      readonly status: 'detected';
      readonly cni: string;
      /** Tag of the DaemonSet's first container image ('' when it has none). */
      readonly version: string;
      /** namespace/name of the DaemonSet that gave it away. */
      readonly daemonSet: string;
    }
  | { readonly status: 'unknown'; readonly detail: string };

interface DaemonSet {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: { readonly template?: { readonly spec?: { readonly containers?: readonly { readonly image?: string }[] } } };
  readonly status?: { readonly numberReady?: number; readonly numberAvailable?: number };
}

/** The tag of an image reference (`repo/name:tag@sha256:...` gives `tag`), or '' without one. */
export function imageTag(image: string): string {
  const ref = image.split('@')[0] ?? '';
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : '';
}

/** Whether the API refused to show the DaemonSets (RBAC), as opposed to being unreachable. */
function forbidden(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 401 || code === 403;
}

/**
 * Which CNI runs on a cluster, from the DaemonSets in kube-system, calico-system and kube-flannel: the one whose
 * DaemonSet has a pod ready. Found none, found several, or not allowed to look: unknown, with what was seen. A cluster
 * that cannot be reached at all throws.
 */
export async function detectCni(api: KubeApi): Promise<DetectedCni> {
  const found: DaemonSet[] = [];
  const refused: string[] = [];
  for (const namespace of DETECTION_NAMESPACES) {
    try {
      found.push(...((await api.list('apps/v1', 'DaemonSet', namespace)) as readonly KubernetesObject[] as readonly DaemonSet[]));
    } catch (e) {
      if (!forbidden(e)) throw e;
      refused.push(namespace);
    }
  }
  const matches: { cni: string; ds: DaemonSet; running: boolean }[] = [];
  for (const ds of found) {
    const sig = CNI_SIGNATURES.find((s) => s.namespaces.includes(ds.metadata?.namespace ?? '') && s.name.test(ds.metadata?.name ?? ''));
    if (!sig) continue;
    const running = (ds.status?.numberReady ?? 0) > 0 || (ds.status?.numberAvailable ?? 0) > 0;
    matches.push({ cni: sig.cni, ds, running });
  }
  const where = (ds: DaemonSet): string => `${ds.metadata?.namespace}/${ds.metadata?.name}`;
  const running = matches.filter((m) => m.running);
  const cnis = [...new Set(running.map((m) => m.cni))];
  if (cnis.length === 1) {
    const m = running[0]!;
    return { status: 'detected', cni: m.cni, version: imageTag(m.ds.spec?.template?.spec?.containers?.[0]?.image ?? ''), daemonSet: where(m.ds) };
  }
  const notes: string[] = [];
  if (cnis.length > 1) notes.push(`DaemonSets of several CNIs run (${running.map((m) => `${m.cni}: ${where(m.ds)}`).join(', ')})`);
  else notes.push(`no DaemonSet of ${CNI_SIGNATURES.map((s) => s.cni).join(', ')} runs in ${DETECTION_NAMESPACES.join(', ')}`);
  const idle = matches.filter((m) => !m.running);
  if (idle.length && cnis.length === 0) notes.push(`${idle.map((m) => where(m.ds)).join(', ')} has no pod ready`);
  if (refused.length) notes.push(`not allowed to list DaemonSets in ${refused.join(', ')}`);
  return { status: 'unknown', detail: notes.join('; ') };
}
