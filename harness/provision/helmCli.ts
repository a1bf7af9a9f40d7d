import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { dump } from 'js-yaml';
import type { PlanStep } from '../model/plan.js';

type HelmStep = Extract<PlanStep, { action: 'helm-install' }>;

/**
 * The argv of a plan's helm install: idempotent (`upgrade --install`), chart fetched from the pinned repo and version,
 * values from a file kconn writes, no `--wait` (kconn polls its own readiness checks, with progress).
 */
export function helmInstallArgv(step: HelmStep, kubeconfig: string, valuesFile: string): string[] {
  return [
    'upgrade', '--install', step.release, step.chart,
    '--repo', step.repo, '--version', step.version,
    '--namespace', step.namespace, '--create-namespace',
    '--kubeconfig', kubeconfig, '--values', valuesFile,
  ];
}

export async function helmInstall(bin: string, step: HelmStep, kubeconfig: string, valuesFile: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(valuesFile), { recursive: true });
  await writeFile(valuesFile, dump(step.values), { mode: 0o600 });
  const r = await execa(bin, helmInstallArgv(step, kubeconfig, valuesFile), { reject: false, all: true, ...(signal ? { cancelSignal: signal } : {}) });
  if (r.exitCode !== 0) throw new Error(`helm ${step.release} ${step.version} failed (exit ${r.exitCode}): ${String(r.all ?? '').trim().split('\n').slice(-5).join(' | ')}`);
}
