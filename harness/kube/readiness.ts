import type { KubernetesObject } from '@kubernetes/client-node';

/** A readiness verdict on some objects, with words for progress output and timeout messages. */
export interface Readiness {
  readonly ready: boolean;
  readonly detail: string;
}

type Obj = KubernetesObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };
type Condition = { type?: string; status?: string; reason?: string; message?: string };

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function conditions(o: Obj): Condition[] {
  const c = o.status?.['conditions'];
  return Array.isArray(c) ? (c as Condition[]) : [];
}

function name(o: KubernetesObject): string {
  return `${o.kind ?? 'object'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;
}

/** True when the object has condition `type` with status True. */
export function conditionTrue(o: KubernetesObject, type: string): Readiness {
  const c = conditions(o as Obj).find((x) => x.type === type);
  if (c?.status === 'True') return { ready: true, detail: `${name(o)} is ${type}` };
  const why = c ? `${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}` : 'not reported yet';
  return { ready: false, detail: `${name(o)} ${type}: ${why}` };
}

/** Every node Ready, and at least `expected` of them. */
export function nodesReady(nodes: readonly KubernetesObject[], expected: number): Readiness {
  const ready = nodes.filter((n) => conditions(n as Obj).some((c) => c.type === 'Ready' && c.status === 'True'));
  const notReady = nodes.filter((n) => !ready.includes(n)).map((n) => n.metadata?.name ?? '?');
  return {
    ready: nodes.length >= expected && ready.length === nodes.length,
    detail: `${ready.length}/${Math.max(expected, nodes.length)} nodes Ready${notReady.length ? ` (not ready: ${notReady.join(', ')})` : ''}`,
  };
}

/**
 * The rules of `kubectl rollout status`: the controller has seen the latest spec, every replica is updated and
 * available. A DaemonSet that schedules nothing is not ready (its pods have nowhere to go yet).
 */
export function rolloutComplete(o: KubernetesObject): Readiness {
  const obj = o as Obj;
  const s = obj.status ?? {};
  const generation = num(obj.metadata?.generation);
  if (num(s['observedGeneration']) < generation) return { ready: false, detail: `${name(o)}: waiting for the controller to observe generation ${generation}` };
  if (o.kind === 'DaemonSet') {
    const desired = num(s['desiredNumberScheduled']);
    const updated = num(s['updatedNumberScheduled']);
    const available = num(s['numberAvailable']);
    const ok = desired > 0 && updated === desired && available === desired;
    return { ready: ok, detail: `${name(o)}: ${available}/${desired} available, ${updated} updated` };
  }
  const wanted = typeof obj.spec?.['replicas'] === 'number' ? (obj.spec['replicas'] as number) : 1;
  const updated = num(s['updatedReplicas']);
  const available = num(s['availableReplicas']);
  const total = num(s['replicas']);
  const ok = updated === wanted && available === wanted && total === wanted;
  return { ready: ok, detail: `${name(o)}: ${available}/${wanted} available, ${updated} updated${total > wanted ? `, ${total - wanted} old replica(s) terminating` : ''}` };
}

/** Every pod Running with all containers ready, and at least one pod. */
export function podsReady(pods: readonly KubernetesObject[]): Readiness {
  const ready = pods.filter((p) => conditions(p as Obj).some((c) => c.type === 'Ready' && c.status === 'True'));
  return { ready: pods.length > 0 && ready.length === pods.length, detail: `${ready.length}/${pods.length} pods ready` };
}

/** A Service has endpoints when one of its EndpointSlices lists a ready endpoint. */
export function endpointsReady(slices: readonly KubernetesObject[], service: string): Readiness {
  let ready = 0;
  for (const slice of slices) {
    const eps = (slice as unknown as { endpoints?: { conditions?: { ready?: boolean } }[] }).endpoints ?? [];
    ready += eps.filter((e) => e.conditions?.ready !== false).length;
  }
  return { ready: ready > 0, detail: `service ${service}: ${ready} ready endpoint(s)` };
}
