import type { KubernetesObject } from '@kubernetes/client-node';
import type { DiagnosticQuery } from '../model/plan.js';
import type { KubeApi } from './kubeApi.js';

type ContainerStatus = {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number; message?: string } };
};
type Described = KubernetesObject & {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
};

const clip = (text: string | undefined, max = 160): string => (text && text.length > max ? `${text.slice(0, max - 1)}…` : (text ?? ''));

/** One line per object that says why it is not fine: a pod's phase and its containers' waiting or crash reasons, an
 * object's false conditions. Healthy objects get a short "ok" line, so that what is missing stands out. */
export function describeObject(o: KubernetesObject): string {
  const d = o as Described;
  const name = `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
  if (o.kind === 'Pod') {
    const containers = [...(d.status?.initContainerStatuses ?? []), ...(d.status?.containerStatuses ?? [])].map((c) => {
      const waiting = c.state?.waiting;
      const term = c.state?.terminated;
      const state = waiting ? `waiting ${waiting.reason ?? ''}${waiting.message ? ` (${clip(waiting.message)})` : ''}` : term ? `terminated ${term.reason ?? ''} exit ${term.exitCode ?? '?'}` : c.ready ? 'ready' : 'running, not ready';
      return `${c.name}: ${state}${c.restartCount ? `, ${c.restartCount} restarts` : ''}`;
    });
    const unscheduled = d.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    return `${name}: ${d.status?.phase ?? 'unknown'}${unscheduled ? ` (unschedulable: ${clip(unscheduled.message)})` : ''}${containers.length ? `; ${containers.join('; ')}` : ''}`;
  }
  const conditions = d.status?.conditions ?? [];
  const bad = conditions.filter((c) => c.status !== 'True' && !['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable', 'Degraded', 'Progressing'].includes(c.type ?? ''));
  const good = conditions.filter((c) => c.status === 'True').map((c) => c.type);
  if (bad.length) return `${name}: ${bad.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? ` (${clip(c.message)})` : ''}`).join('; ')}`;
  return `${name}: ok${good.length ? ` (${good.join(', ')})` : ''}`;
}

/** Reads what the plan says to look at when a cluster fails; errors reading become lines too, never exceptions. */
export async function collectDiagnostics(api: KubeApi, queries: readonly DiagnosticQuery[]): Promise<string[]> {
  const lines: string[] = [];
  for (const q of queries) {
    try {
      const objects = await api.list(q.apiVersion, q.kind, q.namespace, q.labelSelector);
      lines.push(`${q.summary}: ${objects.length ? '' : 'none'}`.trimEnd());
      for (const o of objects) lines.push(`  ${describeObject(o)}`);
    } catch (e) {
      lines.push(`${q.summary}: could not read (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return lines;
}
