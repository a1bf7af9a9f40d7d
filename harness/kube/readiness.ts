import type { KubernetesObject } from '@kubernetes/client-node';

/** A readiness verdict on some objects, with words for progress output and timeout messages. */
export interface Readiness {
  readonly ready: boolean;
  readonly detail: string;
  /** It will not become ready by waiting (e.g. ProgressDeadlineExceeded): polling stops at once. */
  readonly failed?: boolean;
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
 * The rules of `kubectl rollout status` (kubernetes staging/src/k8s.io/kubectl/pkg/polymorphichelpers/
 * rollout_status.go): the controller has seen the latest spec, then per kind. A Deployment whose Progressing condition
 * says ProgressDeadlineExceeded has failed (no wait fixes it); a DaemonSet that schedules no pod is done; a
 * StatefulSet is done when its replicas are ready and every pod is at the update revision.
 */
export function rolloutComplete(o: KubernetesObject): Readiness {
  const obj = o as Obj;
  const s = obj.status ?? {};
  const generation = num(obj.metadata?.generation);
  const observed = num(s['observedGeneration']);
  if (observed < generation || (o.kind === 'StatefulSet' && observed === 0)) {
    return { ready: false, detail: `${name(o)}: waiting for the controller to observe generation ${generation}` };
  }
  if (o.kind === 'DaemonSet') {
    const desired = num(s['desiredNumberScheduled']);
    const updated = num(s['updatedNumberScheduled']);
    const available = num(s['numberAvailable']);
    const ok = updated >= desired && available >= desired;
    return { ready: ok, detail: `${name(o)}: ${available}/${desired} available, ${updated} updated` };
  }
  const wanted = typeof obj.spec?.['replicas'] === 'number' ? (obj.spec['replicas'] as number) : 1;
  if (o.kind === 'StatefulSet') {
    const readyReplicas = num(s['readyReplicas']);
    const current = s['currentRevision'];
    const update = s['updateRevision'];
    const rolling = readyReplicas >= wanted && update !== current;
    return {
      ready: readyReplicas >= wanted && !rolling,
      detail: `${name(o)}: ${readyReplicas}/${wanted} ready${rolling ? `, rolling update to revision ${String(update)} not complete` : ''}`,
    };
  }
  const progressing = conditions(obj).find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { ready: false, failed: true, detail: `${name(o)} exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}` };
  }
  const updated = num(s['updatedReplicas']);
  const available = num(s['availableReplicas']);
  const total = num(s['replicas']);
  const ok = updated >= wanted && total <= updated && available >= updated;
  return { ready: ok, detail: `${name(o)}: ${available}/${wanted} available, ${updated} updated${total > updated ? `, ${total - updated} old replica(s) terminating` : ''}` };
}

type ContainerStatus = { name?: string; state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } } };

/**
 * Why pods are not running, in kubectl's words: the waiting reason of each container that has one
 * (ImagePullBackOff, CrashLoopBackOff, ContainerCreating...), or an unschedulable pod's message.
 */
export function podProblems(pods: readonly KubernetesObject[]): string[] {
  const out: string[] = [];
  for (const p of pods) {
    const status = (p as Obj).status ?? {};
    const statuses = [...((status['initContainerStatuses'] as ContainerStatus[] | undefined) ?? []), ...((status['containerStatuses'] as ContainerStatus[] | undefined) ?? [])];
    for (const c of statuses) {
      const waiting = c.state?.waiting;
      if (waiting?.reason) out.push(`pod ${p.metadata?.name ?? '?'} container ${c.name ?? '?'}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`);
    }
    const unschedulable = conditions(p as Obj).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (unschedulable) out.push(`pod ${p.metadata?.name ?? '?'}: ${unschedulable.reason ?? 'not scheduled'}${unschedulable.message ? ` (${unschedulable.message})` : ''}`);
  }
  return out;
}

/** The label selector (matchLabels) of a workload's pods, as the API's labelSelector parameter; undefined if none. */
export function podSelector(o: KubernetesObject): string | undefined {
  const match = ((o as Obj).spec?.['selector'] as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  if (!match || Object.keys(match).length === 0) return undefined;
  return Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
}

/** A pod Running with every container started (its readiness aside): for a pod that is never ready by design. */
export function podRunning(pod: KubernetesObject | undefined, name: string): Readiness {
  const s = (pod as { status?: { phase?: string; containerStatuses?: { name?: string; started?: boolean }[] } } | undefined)?.status;
  const statuses = s?.containerStatuses ?? [];
  const started = statuses.filter((c) => c.started === true).length;
  const ready = s?.phase === 'Running' && statuses.length > 0 && started === statuses.length;
  return { ready, detail: `pod ${name}: ${s?.phase ?? 'absent'}, ${started}/${statuses.length} containers started (not expected to be ready)` };
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
