import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import type { KubeApi } from '../kube/kubeApi.js';
import { parseManifest } from '../kube/manifest.js';
import { runWaitStep } from '../kube/waitStep.js';
import type { ClusterPlan, PlanStep } from '../model/plan.js';
import { indexUrl, missingChartVersion } from './chartIndex.js';
import { helmInstall } from './helmCli.js';
import { runExecStep, type ExecStepRuntime } from './hostCommand.js';
import type { KindCli } from './kindCli.js';
import { applyManifestPatches } from './manifestPatch.js';

export type DownloadStep = Extract<PlanStep, { action: 'download' }>;

/** Everything a cluster's steps need; I/O is injected so tests can run the steps against fakes. */
export interface ClusterRuntime {
  readonly plan: ClusterPlan;
  readonly kubeconfig: string;
  readonly kindConfigFile: string;
  readonly kind: KindCli;
  readonly helm: () => Promise<string>;
  readonly download: (step: DownloadStep, signal: AbortSignal) => Promise<void>;
  readonly fetchText: (url: string, signal: AbortSignal) => Promise<string>;
  /** The cluster's API, available once the cluster exists. */
  readonly kube: () => KubeApi;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
  /** Where per-cluster files (helm values) go. */
  readonly dir: string;
  /** How exec steps run host commands; without it an exec step is refused. */
  readonly host?: ExecStepRuntime;
  /** Loads images from the host's Docker into this cluster's nodes; without it a load-images step only says so. */
  readonly loadImages?: (images: readonly string[], signal: AbortSignal) => Promise<void>;
}

function nodeCount(plan: ClusterPlan): number {
  return ((plan.kindConfig['nodes'] as unknown[] | undefined) ?? []).length;
}

/** Runs one plan step for one cluster. */
export async function runClusterStep(step: PlanStep, rt: ClusterRuntime): Promise<void> {
  rt.signal.throwIfAborted();
  switch (step.action) {
    case 'download':
      await rt.download(step, rt.signal);
      return;
    case 'kind-create':
      await mkdir(dirname(rt.kindConfigFile), { recursive: true });
      await writeFile(rt.kindConfigFile, dump(rt.plan.kindConfig), { mode: 0o600 });
      await rt.kind.createCluster(step.argv, rt.signal, (line) => rt.progress(`kind: ${line.trim()}`));
      // The kubeconfig holds client credentials: owner-only, whatever the umask.
      await chmod(rt.kubeconfig, 0o600);
      return;
    case 'apply': {
      const objects = applyManifestPatches(parseManifest(await rt.fetchText(step.url, rt.signal), step.url), step.patches ?? [], step.url);
      for (const o of objects) {
        rt.signal.throwIfAborted();
        await rt.kube().apply(o);
      }
      return;
    }
    case 'apply-object':
      await rt.kube().apply(step.object as KubernetesObject);
      return;
    case 'load-images':
      if (rt.loadImages) await rt.loadImages(step.images, rt.signal);
      else rt.progress(`not loading ${step.images.join(', ')}: the nodes pull them themselves`);
      return;
    case 'helm-install': {
      // A pinned chart version the repository does not list fails here, plainly, not as a helm error mid-provisioning.
      const index = await rt.fetchText(indexUrl(step.repo), rt.signal).catch((e: Error) => {
        rt.progress(`could not read ${indexUrl(step.repo)} (${e.message}); helm will check the chart version itself`);
        return '';
      });
      const missing = missingChartVersion(index, step.repo, step.chart, step.version);
      if (missing) throw new Error(missing);
      await helmInstall(await rt.helm(), step, rt.kubeconfig, `${rt.dir}/helm-${step.release}-values.yaml`, rt.signal);
      return;
    }
    case 'wait':
      await runWaitStep(rt.kube(), step, nodeCount(rt.plan), { signal: rt.signal, onProgress: (d) => rt.progress(d) });
      return;
    case 'exec': {
      if (!rt.host) throw new Error(`step "${step.summary}" runs ${step.argv[0]} on the host, which this provisioning does not allow`);
      if (step.applyStdoutTo !== undefined && step.applyStdoutTo !== rt.plan.name) {
        throw new Error(`step "${step.summary}" of cluster ${rt.plan.name} applies to cluster ${step.applyStdoutTo}: only multi-cluster steps may`);
      }
      const stdout = await runExecStep(step, rt.host);
      if (step.applyStdoutTo) {
        for (const o of parseManifest(stdout, `output of ${step.argv[0]}`)) {
          rt.signal.throwIfAborted();
          await rt.kube().apply(o);
        }
      }
      return;
    }
  }
}
