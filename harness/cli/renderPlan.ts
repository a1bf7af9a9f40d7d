import { dump } from 'js-yaml';
import type { Plan, PlanStep } from '../model/plan.js';

/** Human-readable plan: what each cluster gets, every step in order, and which suites run or skip. */
export function renderPlanText(plan: Plan): string {
  const lines: string[] = [];
  lines.push(`Topology ${plan.topology} (${plan.topologyFile}), kind ${plan.kindVersion}, Kubernetes ${plan.kubernetesVersion}, run id ${plan.runId}`);
  lines.push(`Kept clear: ${plan.reserved.map((r) => `${r.cidr} (${r.reason})`).join(', ')}`);
  for (const c of plan.clusters) {
    lines.push('');
    lines.push(`Cluster ${c.name} (kind cluster ${c.kindName})`);
    lines.push(`  cni:          ${c.cni.name} ${c.cni.version}${Object.keys(c.cni.options).length ? ` ${JSON.stringify(c.cni.options)}` : ''}`);
    lines.push(`  pods:         ${c.podSubnet}`);
    lines.push(`  services:     ${c.serviceSubnet}`);
    lines.push(`  kube-proxy:   ${c.kubeProxyMode}`);
    lines.push(`  node image:   ${c.nodeImage}`);
    lines.push(`  capabilities: ${c.capabilities.join(', ') || '(none)'}`);
    lines.push('  kind config (written as kind-config.yaml, byte for byte):');
    lines.push(...dump(c.kindConfig).trimEnd().split('\n').map((l) => `    ${l}`));
    lines.push('  steps:');
    c.steps.forEach((s, i) => lines.push(...renderStep(s, i + 1)));
  }
  if (plan.multicluster) {
    lines.push('');
    lines.push(`Multi-cluster: ${plan.multicluster.provider} ${plan.multicluster.version}`);
    lines.push('  not automated yet: kconn up and run refuse a topology with spec.multicluster; these are the steps they will run');
    plan.multicluster.steps.forEach((s, i) => lines.push(...renderStep(s, i + 1)));
  }
  lines.push('');
  lines.push('Suites:');
  const width = Math.max(0, ...plan.suites.map((s) => s.name.length));
  for (const s of plan.suites) {
    lines.push(`  ${s.status === 'run' ? 'run ' : 'skip'}  ${s.name.padEnd(width)}  ${s.tests} test${s.tests === 1 ? '' : 's'}${s.reason ? `  (${s.reason})` : ''}`);
  }
  const run = plan.suites.filter((s) => s.status === 'run');
  lines.push(
    `Total: ${plan.suites.length} suite(s), ${run.length} to run with ${run.reduce((n, s) => n + s.tests, 0)} test(s), ${plan.suites.length - run.length} skipped`,
  );
  return lines.join('\n');
}

function renderStep(step: PlanStep, n: number): string[] {
  const head = `    ${String(n).padStart(2)}. ${step.summary}`;
  switch (step.action) {
    case 'kind-create':
    case 'exec':
      return [head, `        $ ${step.argv.join(' ')}`];
    case 'download':
      return [
        head,
        `        ${step.url}${step.sha256 ? ` (sha256 ${step.sha256.slice(0, 12)}…)` : ''} -> ${step.into}`,
        ...(step.copy ? [`        copy ${step.copy.files.join(', ')} -> ${step.copy.to}`] : []),
      ];
    case 'apply':
      return [head, `        ${step.serverSide ? 'server-side apply' : 'apply'} ${step.url}`, ...(step.patches ?? []).map((p) => `        patch: ${p.summary}`)];
    case 'apply-object':
      return [head];
    case 'helm-install':
      return [head, `        chart ${step.repo} ${step.chart} ${step.version} -n ${step.namespace} values ${JSON.stringify(step.values)}`];
    case 'wait':
      return [head, `        poll ${step.resource}${step.namespace ? ` -n ${step.namespace}` : ''}${step.name ? ` ${step.name}` : ''} until ${step.condition} (timeout ${step.timeout})`];
  }
}
