import { createHash } from 'node:crypto';
import type { Plan } from '../model/plan.js';

/**
 * What clusters are built from, run id aside: two plans with the same fingerprint give the same clusters, joined the
 * same way (kept clusters joined by another provider, or not joined, are not reused for a multi-cluster plan).
 */
export function planFingerprint(plan: Plan): string {
  const strip = (text: string): string => text.replaceAll(`kconn-${plan.runId}-`, 'kconn-<run>-').replaceAll(`/${plan.runId}/`, '/<run>/');
  const clusters = plan.clusters.map((c) => ({ kindConfig: c.kindConfig, cni: c.cni, steps: c.steps }));
  const mc = plan.multicluster;
  // Without multicluster the input is exactly what it was before joins existed: kept runs stay reusable.
  const input = mc ? { clusters, multicluster: { provider: mc.provider, version: mc.version, options: mc.options, steps: mc.steps } } : clusters;
  return createHash('sha256').update(strip(JSON.stringify(input))).digest('hex').slice(0, 16);
}
