import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from './kubeApi.js';
import { podProblems, podSelector, type Readiness } from './readiness.js';

const MAX_SHOWN = 4;

/**
 * A workload that is not ready yet gets its pods' waiting reasons added to the detail (ImagePullBackOff,
 * CrashLoopBackOff, unschedulable), so that progress lines and a timeout say why, as `kubectl describe` would.
 */
export async function explainWaiting(api: KubeApi, workload: KubernetesObject, readiness: Readiness): Promise<Readiness> {
  const selector = podSelector(workload);
  if (readiness.ready || !selector) return readiness;
  const pods = await api.list('v1', 'Pod', workload.metadata?.namespace, selector).catch(() => []);
  const problems = podProblems(pods);
  if (problems.length === 0) return readiness;
  const shown = problems.slice(0, MAX_SHOWN).join('; ') + (problems.length > MAX_SHOWN ? `; and ${problems.length - MAX_SHOWN} more` : '');
  return { ...readiness, detail: `${readiness.detail} [${shown}]` };
}
