import { dump } from 'js-yaml';
import type { MeshStep, MulticlusterPlan, Plan, PlanStep } from '../model/plan.js';

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
    lines.push(`  node image:   ${c.nodeImage} (${plan.nodeImageOrigin})`);
    lines.push(`  capabilities: ${c.capabilities.join(', ') || '(none)'}`);
    lines.push('  kind config (written as kind-config.yaml, byte for byte):');
    lines.push(...dump(c.kindConfig).trimEnd().split('\n').map((l) => `    ${l}`));
    lines.push('  steps:');
    c.steps.forEach((s, i) => lines.push(...renderStep(s, i + 1)));
  }
  if (plan.multicluster) {
    lines.push('');
    lines.push(...renderMulticluster(plan.multicluster));
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
    case 'load-images':
      return [head, `        kind load (from the host's Docker): ${step.images.join(', ')}`];
    case 'helm-install':
      return [head, `        chart ${step.repo} ${step.chart} ${step.version} -n ${step.namespace} values ${JSON.stringify(step.values)}`];
    case 'wait':
      return [head, `        poll ${step.resource}${step.namespace ? ` -n ${step.namespace}` : ''}${step.name ? ` ${step.name}` : ''} until ${step.condition} (timeout ${step.timeout})`];
  }
}

/** The join: kubeconfigs handed out, every step with its exact command, values or object, and the failure commands. */
function renderMulticluster(mc: MulticlusterPlan): string[] {
  const lines = [
    `Multi-cluster: ${mc.provider} ${mc.version}${Object.keys(mc.options).length ? ` ${JSON.stringify(mc.options)}` : ''}, after every cluster is up`,
    '  kubeconfigs with the server at the control plane\'s address on the kind network (mode 0600, run folder only):',
    ...Object.entries(mc.kubeconfigs).map(([c, path]) => `    ${c}: ${path}`),
    `  host commands run in ${mc.workDir}; {server:X} = https://<X's control-plane IP on the kind network>:6443, {address:X} = that IP`,
    '  steps:',
  ];
  mc.steps.forEach((s, i) => lines.push(...renderMeshStep(s, i + 1)));
  if (mc.onFailure.length) {
    lines.push('  when a step fails, into the diagnostics:');
    for (const argv of mc.onFailure) lines.push(`        $ ${argv.join(' ')}`);
  }
  return lines;
}

function renderMeshStep(step: MeshStep, n: number): string[] {
  const head = `    ${String(n).padStart(2)}. ${step.cluster ? `[${step.cluster}] ` : ''}${step.summary}`;
  const object = (o: unknown): string[] => dump(o).trimEnd().split('\n').map((l) => `          ${l}`);
  switch (step.action) {
    case 'exec':
      return [head, `        $ ${step.argv.join(' ')}`, ...(step.applyStdoutTo ? [`        | server-side apply to ${step.applyStdoutTo}`] : [])];
    case 'apply-object':
      return [head, '        server-side apply:', ...object(step.object)];
    case 'label':
      return [head, `        label ${step.kind} ${step.namespace ? `${step.namespace}/` : ''}${step.name} ${Object.entries(step.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`];
    case 'poll':
      return [head, `        poll ${step.check} ${JSON.stringify(step.input)} (timeout ${step.timeout})`];
    case 'apply-computed':
      return [head, `        built at run time by ${step.compute} ${JSON.stringify(step.input)} (not shown: may hold private keys)`];
    case 'apply':
    case 'helm-install':
    case 'wait':
      return [head, ...renderStep(step, n).slice(1)];
  }
}
