import type { KubernetesObject } from '@kubernetes/client-node';
import { conditionTrue, type Readiness } from './readiness.js';

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type Route = KubernetesObject & {
  spec?: { parentRefs?: { name?: string; sectionName?: string }[] };
  status?: { parents?: { parentRef?: { name?: string; sectionName?: string }; conditions?: Condition[] }[] };
};

/** A Gateway its controller has programmed (condition Programmed, https://gateway-api.sigs.k8s.io/reference/spec/#gatewayconditiontype). */
export function gatewayProgrammed(live: KubernetesObject | undefined, name: string): Readiness {
  return live ? conditionTrue(live, 'Programmed') : { ready: false, detail: `Gateway ${name} not found` };
}

/**
 * An HTTPRoute (or another route) accepted by every parent it names, its backends resolved: what its controller
 * reports per parent in status.parents (conditions Accepted and ResolvedRefs).
 */
export function routeAccepted(live: KubernetesObject | undefined, name: string): Readiness {
  if (!live) return { ready: false, detail: `${name} not found` };
  const route = live as Route;
  const waiting: string[] = [];
  for (const ref of route.spec?.parentRefs ?? []) {
    const parent = (route.status?.parents ?? []).find((p) => p.parentRef?.name === ref.name && (ref.sectionName === undefined || p.parentRef?.sectionName === ref.sectionName));
    const label = `${ref.name}${ref.sectionName ? `/${ref.sectionName}` : ''}`;
    if (!parent) {
      waiting.push(`${name}: not reported by Gateway ${label} yet`);
      continue;
    }
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = (parent.conditions ?? []).find((x) => x.type === type);
      if (c?.status !== 'True') waiting.push(`${name} on ${label}: ${type} ${c ? `${c.status ?? '?'}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}` : 'not reported yet'}`);
    }
  }
  return waiting.length ? { ready: false, detail: waiting.join('; ') } : { ready: true, detail: `${name} accepted` };
}
