import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { collectDiagnostics } from '../kube/diagnose.js';
import type { KubeApi } from '../kube/kubeApi.js';
import type { ClusterPlan, Plan, PlanStep } from '../model/plan.js';
import type { PhaseTiming } from '../model/runReport.js';
import type { CleanupRegistry } from './cleanup.js';
import type { KindCli } from './kindCli.js';
import { ProvisioningFailure, type ClusterOutcome } from './provisioningFailure.js';
import type { ClusterState } from './runState.js';
import { runClusterStep, type ClusterRuntime, type DownloadStep } from './stepRunner.js';

export interface ProvisionOptions {
  /** Folder of this run's files (kind configs, kubeconfigs): .kconn/runs/<runId>. */
  readonly runDir: string;
  readonly kind: KindCli;
  readonly helm: () => Promise<string>;
  readonly download: (step: DownloadStep, signal: AbortSignal) => Promise<void>;
  readonly fetchText: (url: string, signal: AbortSignal) => Promise<string>;
  readonly kubeFor: (kubeconfigPath: string) => KubeApi;
  /** Address of <kindName>-control-plane on the kind network, when it can be read. */
  readonly internalAddress: (kindName: string) => Promise<string | undefined>;
  readonly cleanup: CleanupRegistry;
  readonly signal: AbortSignal;
  readonly progress: (scope: string, line: string) => void;
  /** Existing kind clusters to use as they are (--reuse): their create and install steps are skipped, waits still run. */
  readonly reuse?: ReadonlySet<string>;
  /** Keep clusters after failure (--keep): nothing is registered for cleanup. */
  readonly keep?: boolean;
  /** Where a failed cluster's diagnostics are written (they outlive the cluster and the run state). */
  readonly diagnosticsDir: string;
  /** Called when a cluster exists, so the run state on disk always lists what must be removed. */
  readonly onCreated?: (cluster: ClusterState) => Promise<void>;
  /** Loads host images into a cluster's nodes (load-images steps); absent: the nodes pull them. */
  readonly loadImages?: (kindName: string, images: readonly string[], signal: AbortSignal) => Promise<void>;
  /** Told how long each phase of a cluster took (create, CNI install, readiness), once the cluster is ready. */
  readonly onTiming?: (timing: PhaseTiming) => void;
}

/** The phase a plan step belongs to, for the run's timings. */
function phaseOf(step: PlanStep): string {
  if (step.phase) return step.phase;
  if (step.action === 'kind-create') return 'cluster create';
  if (step.action === 'wait') return 'ready';
  return 'CNI install';
}

/** How long reading diagnostics of a failed cluster may take. */
const DIAGNOSTICS_TIMEOUT_MS = 20_000;

async function reportDiagnostics(c: ClusterPlan, api: KubeApi, file: string, progress: (line: string) => void): Promise<string[]> {
  const timeout = new Promise<string[]>((r) => setTimeout(() => r(['diagnostics: the API did not answer in time']), DIAGNOSTICS_TIMEOUT_MS).unref());
  const lines = await Promise.race([collectDiagnostics(api, c.diagnostics), timeout]);
  await mkdir(dirname(file), { recursive: true })
    .then(() => writeFile(file, `${lines.join('\n')}\n`))
    .catch(() => undefined);
  progress(`diagnostics (also in ${file}):`);
  for (const line of lines.slice(0, 40)) progress(`  ${line}`);
  if (lines.length > 40) progress(`  ... ${lines.length - 40} more lines in ${file}`);
  return lines;
}

/**
 * Provisions every cluster of a plan in parallel: each one's steps in order (download, kind create, CNI install,
 * readiness). A cluster is registered for cleanup the moment its creation starts. The first failure aborts the
 * other clusters' work; the caller's cleanup removes whatever exists. A failure is a ProvisioningFailure that says how
 * each cluster ended (ready, failed with its diagnostics, or stopped), so that the run's report can show it.
 */
export async function provisionClusters(plan: Plan, opts: ProvisionOptions): Promise<ClusterState[]> {
  const inner = new AbortController();
  const signal = AbortSignal.any([opts.signal, inner.signal]);
  const limit = pLimit(Math.max(1, plan.clusters.length));
  const diagnosticsOf = new Map<string, string[]>();
  const provisionOne = async (c: ClusterPlan): Promise<ClusterState> => {
    const dir = join(opts.runDir, c.name);
    // kind writes the files the plan names: take them from its argv, so there is one source of truth.
    const create = c.steps.find((s) => s.action === 'kind-create');
    const argAfter = (flag: string, fallback: string): string => (create?.action === 'kind-create' ? create.argv[create.argv.indexOf(flag) + 1] : undefined) ?? fallback;
    const kubeconfig = argAfter('--kubeconfig', join(dir, 'kubeconfig'));
    const reused = opts.reuse?.has(c.kindName) ?? false;
    let api: KubeApi | undefined;
    const rt: ClusterRuntime = {
      plan: c,
      kubeconfig,
      kindConfigFile: argAfter('--config', join(dir, 'kind-config.yaml')),
      kind: opts.kind,
      helm: opts.helm,
      download: opts.download,
      fetchText: opts.fetchText,
      kube: () => (api ??= opts.kubeFor(kubeconfig)),
      signal,
      progress: (line) => opts.progress(c.name, line),
      dir,
      ...(opts.loadImages ? { loadImages: (images: readonly string[], s: AbortSignal) => opts.loadImages!(c.kindName, images, s) } : {}),
    };
    let state: ClusterState = { name: c.name, kindName: c.kindName, kubeconfig };
    let exists = false;
    /** The cluster exists: record its address on the kind network and tell the caller (run state on disk). */
    const recordExisting = async (): Promise<void> => {
      exists = true;
      const address = await opts.internalAddress(c.kindName).catch(() => undefined);
      state = { ...state, ...(address ? { internalServer: `https://${address}:6443` } : {}) };
      await opts.onCreated?.(state);
    };
    const steps = reused ? c.steps.filter((s) => s.action === 'wait') : c.steps;
    if (reused) {
      opts.progress(c.name, `reusing existing kind cluster ${c.kindName}`);
      await mkdir(dir, { recursive: true });
      await writeFile(kubeconfig, await opts.kind.kubeconfig(c.kindName), { mode: 0o600 });
      await recordExisting();
    }
    const phases = new Map<string, number>();
    for (const [i, step] of steps.entries()) {
      const stepStarted = performance.now();
      opts.progress(c.name, `[${i + 1}/${steps.length}] ${step.summary}`);
      if (step.action === 'kind-create' && !opts.keep) {
        opts.cleanup.add(`kind cluster ${c.kindName}`, () => opts.kind.deleteCluster(c.kindName));
      }
      try {
        await runClusterStep(step, rt);
      } catch (e) {
        // Before the cluster is removed: say what its CNI and nodes looked like, on screen and in a file.
        if (exists) diagnosticsOf.set(c.name, await reportDiagnostics(c, rt.kube(), join(opts.diagnosticsDir, `diagnostics-${c.name}.txt`), (line) => opts.progress(c.name, line)));
        throw e;
      }
      if (step.action === 'kind-create') await recordExisting();
      phases.set(phaseOf(step), (phases.get(phaseOf(step)) ?? 0) + performance.now() - stepStarted);
    }
    for (const [phase, ms] of phases) opts.onTiming?.({ phase, cluster: c.name, ms });
    opts.progress(c.name, 'ready');
    return state;
  };
  // Settle every cluster before returning, so that nothing is still being created when the caller cleans up;
  // report the first failure in time (the others are usually its consequence: aborted).
  let firstError: Error | undefined;
  const failedFirst = new Set<string>();
  const settled = await Promise.allSettled(
    plan.clusters.map((c) =>
      limit(() =>
        provisionOne(c).catch((e: unknown) => {
          const error = new Error(`cluster ${c.name}: ${(e as Error).message}`, { cause: e });
          // A cluster whose own step failed while nothing had been aborted yet failed; the others were stopped.
          if (!signal.aborted) failedFirst.add(c.name);
          firstError ??= error;
          inner.abort(new Error(`cluster ${c.name} failed`));
          throw error;
        }),
      ),
    ),
  );
  if (firstError) {
    const outcomes: ClusterOutcome[] = plan.clusters.map((c, i) => {
      const s = settled[i]!;
      if (s.status === 'fulfilled') return { name: c.name, status: 'ready' };
      const message = ((s.reason as Error).cause as Error | undefined)?.message ?? (s.reason as Error).message;
      const diagnostics = diagnosticsOf.get(c.name);
      return { name: c.name, status: failedFirst.has(c.name) ? 'failed' : 'stopped', message, ...(diagnostics ? { diagnostics } : {}) };
    });
    throw new ProvisioningFailure((firstError as Error).message, outcomes, { cause: firstError });
  }
  return settled.map((s) => (s as PromiseFulfilledResult<ClusterState>).value);
}
