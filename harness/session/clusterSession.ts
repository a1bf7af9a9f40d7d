import { join } from 'node:path';
import Docker from 'dockerode';
import type { LoadedProject } from '../load/loadProject.js';
import { ClientNodeKubeApi } from '../kube/kubeApi.js';
import type { Plan } from '../model/plan.js';
import type { PhaseTiming } from '../model/runReport.js';
import { CleanupRegistry, installSignalCleanup } from '../provision/cleanup.js';
import { downloadAndExtract } from '../provision/cniPluginsDownload.js';
import { preloadImages } from '../provision/imageLoader.js';
import { KindCli } from '../provision/kindCli.js';
import { provisionClusters } from '../provision/provisioner.js';
import { listRuns, removeRunState, runDir, writeRunState, type ClusterState, type RunState } from '../provision/runState.js';
import { ProvisioningFailure } from '../provision/provisioningFailure.js';
import { ensureTool } from '../provision/toolCache.js';
import { applyToolMirror } from '../provision/toolMirror.js';
import { subctlSpec, TOOLS, type ToolName, type ToolSpec } from '../provision/toolSpec.js';
import { execaHostExec } from '../provision/hostExec.js';
import { runMeshSteps } from '../provision/meshStepRunner.js';
import { findMesh } from '../mesh/registry.js';
import type { CommandIO } from './commandIO.js';
import { cacheDir, hostArch, runsRoot } from './environment.js';
import { loadAndPlan, type PlanInputs } from './loadAndPlan.js';
import type { Progress } from './progress.js';
import { planFingerprint } from './planFingerprint.js';
import { newRunId } from './runId.js';
import { SessionFailure } from './sessionFailure.js';

export interface SessionOptions {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly suites?: readonly string[];
  readonly keep: boolean;
  readonly reuse: boolean;
  readonly timeoutMs: number;
  readonly io: CommandIO;
  readonly progress: Progress;
  /** Reports folder (default reports/): diagnostics of clusters that fail to come up go to <dir>/<run-id>/. */
  readonly reportsDir?: string;
  /**
   * Told when provisioning fails after the inputs were planned, before anything is removed: a Ctrl-C exits as soon as
   * the cleanup is done, so what must outlive the run (its report) is written here.
   */
  readonly onFailure?: (failure: SessionFailure) => Promise<void>;
}

export interface Session {
  /**
   * This run's id: reports/<runId>/, the run namespace and the labels. The plan's run id names the clusters; they
   * differ when kept clusters are reused, so a reused run never overwrites the earlier run's reports.
   */
  readonly runId: string;
  readonly project: LoadedProject;
  readonly plan: Plan;
  readonly clusters: readonly ClusterState[];
  readonly kind: KindCli;
  readonly cleanup: CleanupRegistry;
  readonly signal: AbortSignal;
  readonly runDir: string;
  /** How long each cluster's phases took. */
  readonly timings: readonly PhaseTiming[];
  /** Ends the session: removes what the run created unless kept; returns cleanup failures. */
  close(keep: boolean): Promise<string[]>;
}

function planInputs(opts: SessionOptions, runId: string): PlanInputs {
  return {
    ...(opts.topology ? { topology: opts.topology } : {}),
    ...(opts.cni ? { cni: opts.cni } : {}),
    ...(opts.nodeImage !== undefined ? { nodeImage: opts.nodeImage } : {}),
    suites: opts.suites ?? [],
    runId,
  };
}

/** The newest kept run whose clusters all still exist and were built exactly as this plan would build them. */
async function reusableRun(opts: SessionOptions, kind: KindCli): Promise<RunState | undefined> {
  const existing = new Set(await kind.getClusters().catch(() => []));
  for (const state of (await listRuns(runsRoot())).states) {
    if (!state.keep || state.clusters.length === 0 || !state.clusters.every((c) => existing.has(c.kindName))) continue;
    const { plan } = await loadAndPlan(planInputs(opts, state.runId));
    if (state.fingerprint === planFingerprint(plan)) return state;
  }
  return undefined;
}

/**
 * Plans a run and provisions its clusters (or reuses kept ones), with cleanup on failure, timeout and Ctrl-C.
 * The run state on disk lists every cluster as soon as it exists, so `kconn down` and `kconn prune` can find it.
 */
export async function openSession(opts: SessionOptions): Promise<Session> {
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const cleanup = new CleanupRegistry((line) => opts.progress.line('cleanup', line));
  const removeHandlers = installSignalCleanup(controller, cleanup, (line) => opts.progress.line('kconn', line));
  try {
    return await provisionSession(opts, { controller, signal, cleanup, removeHandlers });
  } catch (e) {
    removeHandlers();
    throw e;
  }
}

/** Manifests of install steps; those of GitHub releases (the Gateway API CRDs) come through KCONN_TOOL_MIRROR like tools. */
async function fetchTextOk(url: string, signal: AbortSignal): Promise<string> {
  const from = applyToolMirror(url);
  const r = await fetch(from, { signal });
  if (!r.ok) throw new Error(`GET ${from}: HTTP ${r.status}`);
  return r.text();
}

interface SessionControl {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  readonly cleanup: CleanupRegistry;
  readonly removeHandlers: () => void;
}

/** Host tools the multi-cluster steps run that kconn pins (found on PATH or downloaded and verified). */
function meshTools(plan: Plan): ToolName[] {
  const names = new Set<ToolName>();
  for (const s of plan.multicluster?.steps ?? []) {
    if (s.action === 'exec' && (s.argv[0] === 'subctl' || s.argv[0] === 'helm')) names.add(s.argv[0]);
    if (s.action === 'helm-install') names.add('helm');
  }
  return [...names];
}

/** The spec of a pinned tool for this plan (subctl follows the topology's Submariner version). */
function toolSpecFor(name: ToolName, plan: Plan): ToolSpec {
  return name === 'subctl' && plan.multicluster?.provider === 'submariner' ? subctlSpec(plan.multicluster.version) : TOOLS[name];
}

/** The address of a kind node container on the `kind` Docker network (the docker CLI kind itself drives). */
async function kindNetworkAddress(container: string): Promise<string | undefined> {
  const r = await execaHostExec('docker', ['inspect', '--format', '{{with index .NetworkSettings.Networks "kind"}}{{.IPAddress}}{{end}}', container], { timeoutMs: 30_000 });
  const ip = r.ok ? r.stdout.trim() : '';
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : undefined;
}

async function provisionSession(opts: SessionOptions, { controller, signal, cleanup, removeHandlers }: SessionControl): Promise<Session> {
  const cache = cacheDir();

  // Check first, download later: every problem of the user's files and flags is reported before any tool is fetched.
  let runId = newRunId();
  let { project, plan } = await loadAndPlan(planInputs(opts, runId));

  // From here on a failure is the run's, not the input's: it gets a report (SessionFailure).
  const failed = async (e: unknown, reportRunId: string): Promise<SessionFailure> => {
    const message = (e as Error).message;
    const provisioning = e instanceof ProvisioningFailure ? e : (e as Error).cause instanceof ProvisioningFailure ? ((e as Error).cause as ProvisioningFailure) : undefined;
    const clusters = provisioning?.clusters ?? plan.clusters.map((c) => ({ name: c.name, status: 'stopped' as const, message }));
    const failure = new SessionFailure(message, reportRunId, plan, project, clusters, { cause: e });
    await opts.onFailure?.(failure).catch((err: unknown) => opts.io.err(`could not record the failure of run ${reportRunId}: ${(err as Error).message}`));
    return failure;
  };
  const toolOptions = { cacheDir: cache, log: (l: string) => opts.progress.line('tools', l), signal };
  const kindBin = await ensureTool('kind', toolOptions).catch(async (e: unknown) => Promise.reject(await failed(e, runId)));
  const kind = new KindCli(kindBin);
  let reuse = new Set<string>();
  let previous: RunState | undefined;
  if (opts.reuse) {
    // Finding kept clusters needs kind; reusing them means planning again under their run id.
    previous = await reusableRun(opts, kind);
    if (previous) {
      runId = previous.runId;
      reuse = new Set(previous.clusters.map((c) => c.kindName));
      ({ project, plan } = await loadAndPlan(planInputs(opts, runId)));
      opts.progress.line('kconn', `reusing the clusters of run ${runId}`);
    } else {
      opts.progress.line('kconn', 'no kept clusters built from this same plan to reuse: creating new ones');
    }
  }
  // Every tool the plan needs is found (or downloaded) before anything is created: a helm that cannot be had must not
  // surface only after kind has built the clusters.
  // A reused run gets its own id for reports and the run namespace; the clusters keep theirs.
  const reportRunId = previous ? newRunId() : runId;
  let helmBin: Promise<string> | undefined;
  if (plan.clusters.some((c) => !reuse.has(c.kindName) && c.steps.some((s) => s.action === 'helm-install'))) {
    helmBin = ensureTool('helm', toolOptions);
    await helmBin.catch(async (e: unknown) => Promise.reject(await failed(e, reportRunId)));
  }
  // The multi-cluster steps' tools (subctl) too, before any cluster exists.
  const tools = new Map<string, Promise<string>>();
  for (const name of meshTools(plan)) {
    if (name === 'helm' && helmBin) continue;
    const p = ensureTool(name, { ...toolOptions, spec: toolSpecFor(name, plan) });
    if (name === 'helm') helmBin = p;
    tools.set(name, p);
    await p.catch(async (e: unknown) => Promise.reject(await failed(e, reportRunId)));
  }
  const dir = runDir(runsRoot(), runId);
  const states: ClusterState[] = [];
  const baseState: RunState = {
    runId, topology: plan.topology, topologyFile: plan.topologyFile, createdAt: previous?.createdAt ?? new Date().toISOString(), pid: process.pid,
    keep: opts.keep || reuse.size > 0, fingerprint: planFingerprint(plan), clusters: previous?.clusters ?? [],
  };
  await writeRunState(runsRoot(), baseState);
  // The state goes only once every cluster is gone, so that `kconn down` can still find what a failed cleanup left.
  const removeStateIfClean = async (failures: readonly string[]): Promise<void> => {
    if (failures.length === 0 && !baseState.keep) await removeRunState(runsRoot(), runId);
  };
  // Also when Ctrl-C ends the process as soon as the cleanup is done (the paths below remove it too: it is idempotent).
  cleanup.finally(removeStateIfClean);
  opts.progress.line('kconn', `run ${runId}: ${plan.clusters.length} cluster(s) of topology ${plan.topology}, kind ${plan.kindVersion}, Kubernetes ${plan.kubernetesVersion}`);

  const timings: PhaseTiming[] = [];
  try {
    const clusters = await provisionClusters(plan, {
      onTiming: (t) => timings.push(t),
      runDir: dir,
      diagnosticsDir: join(opts.reportsDir ?? 'reports', reportRunId),
      kind,
      helm: () => (helmBin ??= ensureTool('helm', toolOptions)),
      download: (step, s) => downloadAndExtract(step, { signal: s, log: (l) => opts.progress.line('tools', l) }),
      fetchText: fetchTextOk,
      kubeFor: (path) => ClientNodeKubeApi.fromFile(path),
      internalAddress: (kindName) => kindNetworkAddress(`${kindName}-control-plane`),
      // Images of install steps (the gateway's controller) come from the host's Docker like the suites' images.
      loadImages: async (kindName, images, s) => {
        const r = await preloadImages({ docker: new Docker(), kind, images, clusters: [kindName], arch: hostArch(), signal: s, log: (l) => opts.progress.line('images', l) });
        for (const w of r.warnings) opts.progress.line('images', `warning: ${w}`);
      },
      cleanup: opts.keep || reuse.size ? new CleanupRegistry() : cleanup,
      signal,
      progress: (scope, line) => opts.progress.line(scope, line),
      reuse,
      keep: opts.keep,
      onCreated: async (c) => {
        states.push(c);
        const known = baseState.clusters.filter((k) => !states.some((x) => x.kindName === k.kindName));
        await writeRunState(runsRoot(), { ...baseState, clusters: [...known, ...states] });
      },
    });
    await writeRunState(runsRoot(), { ...baseState, clusters });
    if (plan.multicluster) {
      const provider = findMesh(plan.multicluster.provider)!;
      const joined = plan.clusters.every((c) => reuse.has(c.kindName));
      // Kept clusters were joined when they were built: only their readiness is checked again.
      const mc = joined ? { ...plan.multicluster, steps: plan.multicluster.steps.filter((s) => s.action === 'poll' || s.action === 'wait') } : plan.multicluster;
      await runMeshSteps({
        plan: { ...plan, multicluster: mc },
        provider,
        clusters,
        runDir: dir,
        kind,
        helm: () => (helmBin ??= ensureTool('helm', toolOptions)),
        download: (step, s) => downloadAndExtract(step, { signal: s, log: (l) => opts.progress.line('tools', l) }),
        fetchText: fetchTextOk,
        kubeFor: (path) => ClientNodeKubeApi.fromFile(path),
        tool: (name) => (name === 'helm' ? (helmBin ??= ensureTool('helm', toolOptions)) : name === 'kind' ? Promise.resolve(kindBin) : (tools.get(name) ?? Promise.resolve(name))),
        signal,
        progress: (scope, line) => opts.progress.line(scope, line),
        diagnosticsDir: join(opts.reportsDir ?? 'reports', reportRunId),
        onTiming: (t) => timings.push(t),
      });
    }
    return {
      runId: reportRunId,
      project,
      plan,
      clusters,
      kind,
      cleanup,
      signal,
      runDir: dir,
      timings,
      async close(keep: boolean) {
        if (keep) {
          removeHandlers();
          return [];
        }
        const failures = await cleanup.runAll();
        await removeStateIfClean(failures);
        removeHandlers();
        return failures;
      },
    };
  } catch (e) {
    const interrupted = controller.signal.aborted ? (controller.signal.reason as Error | undefined)?.message : undefined;
    const reason = interrupted
      ? new Error(`${interrupted}: ${(e as Error).message}`, { cause: e })
      : signal.aborted
        ? new Error(`provisioning did not finish within ${Math.round(opts.timeoutMs / 1000)}s: ${(e as Error).message}`, { cause: e })
        : e;
    const failure = await failed(reason, reportRunId);
    if (!opts.keep) {
      const failures = await cleanup.runAll();
      await removeStateIfClean(failures);
      for (const f of failures) opts.io.err(f);
    } else {
      opts.io.err(`--keep: leaving what was created; remove it with kconn down --run-id ${runId}`);
    }
    throw failure;
  }
}
