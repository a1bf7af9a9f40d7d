import type { CniContext, CniPlugin } from '../cni/cniPlugin.js';
import type { PlanStep } from '../model/plan.js';

export interface ClusterFiles {
  readonly kindConfig: string;
  readonly kubeconfig: string;
}

/**
 * Everything provisioning does for one cluster, in order. No `--wait` on kind create: it only waits for the
 * control-plane node, which cannot become Ready before a custom CNI is installed, and it exits 0 on timeout anyway
 * (kind pkg/cluster/internal/create/actions/waitforready). kconn polls its own readiness checks instead.
 */
export function clusterSteps(plugin: CniPlugin, ctx: CniContext, files: ClusterFiles): PlanStep[] {
  return [
    ...plugin.preCreateSteps(ctx),
    {
      action: 'kind-create',
      summary: `create kind cluster ${ctx.kindName} (${ctx.nodeCount} node${ctx.nodeCount === 1 ? '' : 's'})`,
      argv: ['kind', 'create', 'cluster', '--name', ctx.kindName, '--config', files.kindConfig, '--kubeconfig', files.kubeconfig],
    },
    ...plugin.installSteps(ctx),
    ...plugin.readinessSteps(ctx),
    {
      action: 'wait',
      summary: 'wait for every node to be Ready',
      resource: 'node',
      condition: 'Ready',
      timeout: '5m',
    },
    {
      action: 'wait',
      summary: 'wait for the CoreDNS rollout',
      resource: 'deployment',
      namespace: 'kube-system',
      name: 'coredns',
      condition: 'rollout-complete',
      timeout: '3m',
    },
  ];
}
