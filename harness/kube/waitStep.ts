import type { PlanStep } from '../model/plan.js';
import { parseDuration } from '../model/duration.js';
import { explainWaiting } from './explainWaiting.js';
import type { KubeApi } from './kubeApi.js';
import { pollUntil, type PollOptions } from './poll.js';
import { conditionTrue, nodesReady, rolloutComplete, type Readiness } from './readiness.js';

type WaitStep = Extract<PlanStep, { action: 'wait' }>;

/** API group/version and kind of the resources plan steps wait on. */
export const WAIT_RESOURCES: Readonly<Record<string, { apiVersion: string; kind: string }>> = {
  node: { apiVersion: 'v1', kind: 'Node' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  daemonset: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  customresourcedefinition: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
  tigerastatus: { apiVersion: 'operator.tigera.io/v1', kind: 'TigeraStatus' },
  'gateways.submariner.io': { apiVersion: 'submariner.io/v1', kind: 'Gateway' },
  gatewayclass: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass' },
};

/** One readiness check for a wait step; objects that do not exist yet are "not ready", never an error. */
export function waitCheck(api: KubeApi, step: WaitStep, expectedNodes: number): () => Promise<Readiness> {
  const res = WAIT_RESOURCES[step.resource];
  if (!res) throw new Error(`no readiness check for resource "${step.resource}"`);
  return async () => {
    if (step.resource === 'node') return nodesReady(await api.list(res.apiVersion, res.kind), expectedNodes);
    if (step.resource === 'gateways.submariner.io') {
      const gateways = await api.list(res.apiVersion, res.kind, step.namespace);
      const connected = gateways.every((g) => {
        const conns = ((g as unknown as { status?: { connections?: { status?: string }[] } }).status?.connections ?? []);
        return conns.length > 0 && conns.every((c) => c.status === 'connected');
      });
      return { ready: gateways.length > 0 && connected, detail: `${gateways.length} gateway(s), ${connected ? 'all connected' : 'not all connected'}` };
    }
    const obj = await api.get(res.apiVersion, res.kind, step.name!, step.namespace);
    if (!obj) return { ready: false, detail: `${res.kind} ${step.namespace ? `${step.namespace}/` : ''}${step.name} does not exist yet` };
    return step.condition === 'rollout-complete' ? explainWaiting(api, obj, rolloutComplete(obj)) : conditionTrue(obj, step.condition);
  };
}

/** Runs a plan's wait step: polls until ready or its timeout. */
export async function runWaitStep(api: KubeApi, step: WaitStep, expectedNodes: number, options: Omit<PollOptions, 'timeoutMs'> = {}): Promise<Readiness> {
  const timeoutMs = parseDuration(step.timeout) ?? 300_000;
  return pollUntil(step.summary, waitCheck(api, step, expectedNodes), { ...options, timeoutMs });
}
