import { resolve } from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { findCni } from '../cni/registry.js';
import { detectCni, type DetectedCni } from '../kube/cniDetection.js';
import type { KubeApi } from '../kube/kubeApi.js';
import type { LoadedProject } from '../load/loadProject.js';
import type { Capability } from '../model/capability.js';
import type { ClusterPlan, Plan } from '../model/plan.js';
import type { PhaseTiming } from '../model/runReport.js';
import type { Suite } from '../model/suite.js';
import { selectSuites } from '../plan/suiteSelection.js';
import { CleanupRegistry, installSignalCleanup } from '../provision/cleanup.js';
import type { ClusterOutcome } from '../provision/provisioningFailure.js';
import type { ClusterAccess } from '../run/runOptions.js';
import { contextAccess, type ContextAccess } from './clusterAccess.js';
import { SessionFailure } from './sessionFailure.js';
import type { CommandIO } from './commandIO.js';
import { mapContexts, type ContextArg } from './contextMapping.js';
import { loadAndPlan, UserInputError } from './loadAndPlan.js';
import type { Progress } from './progress.js';
import { newRunId } from './runId.js';

/** The CNI of a cluster that was neither declared (--cni) nor recognised by its DaemonSets. */
export const UNKNOWN_CNI = 'unknown';

/** `kindVersion` of a run on existing clusters (no kind involved). */
export const NO_KIND = 'none';
/** `nodeImageOrigin` of a run on existing clusters: kconn chose no node image. */
export const NO_NODE_IMAGE = 'none (clusters the user already had)';

export interface ExistingSessionOptions {
  readonly topology?: string;
  /** Declared CNI of every cluster (--cni): not detected then. */
  readonly cni?: string;
  readonly suites?: readonly string[];
  readonly kubeconfig: string;
  readonly contexts: readonly ContextArg[];
  readonly timeoutMs: number;
  readonly io: CommandIO;
  readonly progress: Progress;
  /** Told when the clusters cannot be used after the inputs were planned (unreachable, timeout, Ctrl-C): write the report. */
  readonly onFailure?: (failure: ExistingSessionFailure) => Promise<void>;
}

/** A run on clusters the user already has: what runCommand needs, as a provisioned session gives it, without kind. */
export interface ExistingSession {
  readonly existing: true;
  readonly runId: string;
  readonly project: LoadedProject;
  /** The plan, with each cluster's CNI and capabilities as declared or detected; nothing to provision. */
  readonly plan: Plan;
  /** Kubeconfig context of each topology cluster. */
  readonly contexts: ReadonlyMap<string, string>;
  readonly access: ReadonlyMap<string, ClusterAccess>;
  readonly cleanup: CleanupRegistry;
  readonly signal: AbortSignal;
  readonly timings: readonly PhaseTiming[];
  /** Removes what the run applied (never the clusters); returns cleanup failures. */
  close(keep: boolean): Promise<string[]>;
}

/** The clusters could not be used (unreachable, timeout, Ctrl-C): what the report of the run needs, contexts included. */
export class ExistingSessionFailure extends SessionFailure {
  constructor(
    message: string,
    runId: string,
    plan: Plan,
    project: LoadedProject,
    clusters: readonly ClusterOutcome[],
    readonly contexts: ReadonlyMap<string, string>,
    options?: ErrorOptions,
  ) {
    super(message, runId, plan, project, clusters, options);
    this.name = 'ExistingSessionFailure';
  }
}

/** What kconn found out about one existing cluster. */
export interface ExistingCluster {
  readonly name: string;
  readonly cni: string;
  readonly cniVersion: string;
  /** How the CNI was known, in words, for the progress line. */
  readonly detail: string;
  /** Nodes that take pods (not cordoned, no NoSchedule/NoExecute taint but the control plane's). */
  readonly schedulableNodes: number;
  readonly kubernetesVersion?: string;
}

/** The CNI of a cluster: declared (--cni) wins; else detected; else unknown. */
export function resolveCni(declared: string | undefined, detected: DetectedCni): { cni: string; version: string; detail: string } {
  if (declared !== undefined) {
    if (detected.status === 'detected' && detected.cni === declared) return { cni: declared, version: detected.version, detail: `declared (--cni ${declared}); ${detected.daemonSet} runs` };
    const seen = detected.status === 'detected' ? `kconn sees ${detected.cni} (${detected.daemonSet})` : detected.detail;
    return { cni: declared, version: '', detail: `declared (--cni ${declared}), although ${seen}` };
  }
  if (detected.status === 'detected') return { cni: detected.cni, version: detected.version, detail: `detected: ${detected.daemonSet} runs` };
  return {
    cni: UNKNOWN_CNI,
    version: '',
    detail: `unknown (${detected.detail}): NetworkPolicy is not assumed; the policy control decides whether policy suites count (--cni NAME declares it)`,
  };
}

const PODS_TOLERATE = new Set(['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master']);

/**
 * Nodes that would take a test pod: not cordoned, and no NoSchedule/NoExecute taint other than the control plane's
 * (the shipped manifests tolerate that one, as kind's two-node clusters need).
 */
export function schedulableNodes(nodes: readonly KubernetesObject[]): number {
  return nodes.filter((n) => {
    const spec = (n as { spec?: { unschedulable?: boolean; taints?: readonly { key?: string; effect?: string }[] } }).spec;
    if (spec?.unschedulable) return false;
    return !(spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !PODS_TOLERATE.has(t.key ?? ''));
  }).length;
}

/** Capabilities that come with every cluster in this run of the plan, not with its CNI or its size (multiCluster, a mesh's). */
function topologyCapabilities(c: ClusterPlan): Capability[] {
  const fromCni = new Set(findCni(c.cni.name)?.capabilities(c.cni.options) ?? []);
  return c.capabilities.filter((x) => !fromCni.has(x) && x !== 'multiNode');
}

/**
 * The plan of a run on existing clusters: each cluster's CNI (name, the version its image says) and capabilities as
 * declared or detected, multiNode from the nodes that take pods, nothing to provision; suites selected again on that.
 * A cluster of unknown CNI does not claim networkPolicy, but its policy suites are planned to run: the NetworkPolicy
 * control of the run measures enforcement first and skips them, with the reason, when the cluster does not enforce.
 */
export function existingPlan(plan: Plan, clusters: readonly ExistingCluster[], suites: readonly Suite[]): Plan {
  const planned = plan.clusters.map((c): ClusterPlan => {
    const e = clusters.find((x) => x.name === c.name);
    if (!e) throw new Error(`no facts about cluster ${c.name}`);
    const cni = e.cni === UNKNOWN_CNI ? undefined : findCni(e.cni);
    const capabilities: Capability[] = [...(cni?.capabilities({}) ?? []), ...(e.schedulableNodes >= 2 ? (['multiNode'] as const) : []), ...topologyCapabilities(c)];
    return { ...c, kindName: '', cni: { name: e.cni, version: e.cniVersion, options: {} }, capabilities: [...new Set(capabilities)], nodeImage: '', kindConfig: {}, steps: [], diagnostics: [] };
  });
  const selection = planned.map((c) => ({
    name: c.name,
    cni: c.cni.name,
    capabilities: c.cni.name === UNKNOWN_CNI && !c.capabilities.includes('networkPolicy') ? [...c.capabilities, 'networkPolicy' as const] : c.capabilities,
  }));
  const selected = plan.suites.map((p) => suites.find((s) => s.name === p.name)).filter((s): s is Suite => s !== undefined);
  const versions = [...new Set(clusters.map((c) => c.kubernetesVersion ?? 'unknown'))];
  return {
    ...plan,
    kindVersion: NO_KIND,
    nodeImageOrigin: NO_NODE_IMAGE,
    kubernetesVersion: versions.length === 1 ? versions[0]! : clusters.map((c) => `${c.name} ${c.kubernetesVersion ?? 'unknown'}`).join(', '),
    clusters: planned,
    suites: selectSuites(selected, selection, plan.topology),
  };
}

/**
 * The cluster's API, with every object kconn applies registered for removal in the run's cleanup (once per object):
 * on a cluster kconn did not create, nothing kconn applied may outlive the run, whichever part of kconn applied it
 * and however the run ends (Ctrl-C, timeout, a failed suite). Objects already removed by their suite are gone: deleting
 * them again is a no-op.
 */
export function removingWhatItApplies(access: ContextAccess, cleanup: CleanupRegistry): ContextAccess {
  const inner = access.api;
  const registered = new Set<string>();
  const apply: KubeApi['apply'] = async (object, options) => {
    const { apiVersion, kind } = object;
    const name = object.metadata?.name;
    const namespace = object.metadata?.namespace;
    const key = `${apiVersion}/${kind}/${namespace ?? ''}/${name}`;
    if (!registered.has(key)) {
      registered.add(key);
      const ref: KubernetesObject = { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
      cleanup.add(`${kind} ${namespace ? `${namespace}/` : ''}${name} on ${access.name}`, () => inner.delete(ref));
    }
    return inner.apply(object, options);
  };
  // Every other verb goes straight through, whatever KubeApi grows.
  const api = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'apply') return apply;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...access, api };
}

/** An error's message and those of its causes ("fetch failed" says little; "connect ECONNREFUSED ..." does). */
export function withCauses(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e; c instanceof Error && parts.length < 5; c = c.cause) {
    if (c.message && !parts.some((p) => p.includes(c.message))) parts.push(c.message);
  }
  return parts.join(': ') || String(e);
}

/** The kubeconfig's context names; a file that cannot be read or parsed is a bad input. */
function readContexts(path: string, shown: string): string[] {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw new UserInputError([`--kubeconfig ${shown}: cannot be read as a kubeconfig: ${(e as Error).message}`]);
  }
  const problems = kc.getContexts().flatMap((c) => (kc.getCluster(c.cluster) ? [] : [`context ${c.name} names cluster ${c.cluster}, which the file does not define`]));
  if (problems.length) throw new UserInputError(problems.map((p) => `--kubeconfig ${shown}: ${p}`));
  return kc.getContexts().map((c) => c.name);
}

/**
 * Plans a run on clusters the user already has, one kubeconfig context per topology cluster: everything about the
 * inputs (files, flags, contexts, a multicluster topology) is checked before any cluster is contacted; then each
 * cluster's CNI is detected (unless declared), and the plan says what that CNI allows. Nothing is provisioned and
 * nothing is torn down: the run removes only what it applied (its cleanup, also on the timeout and Ctrl-C).
 */
export async function openExistingSession(opts: ExistingSessionOptions): Promise<ExistingSession> {
  const runId = newRunId();
  // No kind network to keep clear: subnets are the clusters' own business.
  const { project, plan } = await loadAndPlan({ ...(opts.topology ? { topology: opts.topology } : {}), ...(opts.cni ? { cni: opts.cni } : {}), suites: opts.suites ?? [], runId, kindNetwork: 'none' });
  if (plan.multicluster) {
    throw new UserInputError([
      `${plan.topologyFile}: --kubeconfig runs suites on clusters as they are; it does not join them with ${plan.multicluster.provider}. ` +
        'Remove spec.multicluster to run the clusters unjoined.',
    ]);
  }
  const kubeconfig = resolve(opts.kubeconfig);
  const mapping = mapContexts({ clusters: plan.clusters.map((c) => c.name), topology: plan.topology, contexts: readContexts(kubeconfig, opts.kubeconfig), kubeconfig: opts.kubeconfig, args: opts.contexts });
  if (!mapping.ok) throw new UserInputError(mapping.problems);
  const contexts = mapping.contexts;

  // From here on the clusters are contacted: a failure is the run's, with a report.
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const cleanup = new CleanupRegistry((line) => opts.progress.line('cleanup', line));
  const access = new Map<string, ContextAccess>([...contexts].map(([cluster, context]) => [cluster, removingWhatItApplies(contextAccess(kubeconfig, context, cluster), cleanup)]));
  const removeHandlers = installSignalCleanup(controller, cleanup, (line) => opts.progress.line('kconn', line));
  const timings: PhaseTiming[] = [];
  opts.progress.line('kconn', `run ${runId}: ${plan.clusters.length} existing cluster(s) of topology ${plan.topology}, from ${kubeconfig}`);
  const facts = await Promise.allSettled(
    [...access.values()].map(async (a): Promise<ExistingCluster> => {
      const started = performance.now();
      const where = `cluster ${a.name} (context ${a.context}, ${a.server})`;
      try {
        const abort = new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
        const [detected, nodes, version] = await Promise.race([
          Promise.all([detectCni(a.api), a.api.list('v1', 'Node'), a.serverVersion().catch(() => undefined)]),
          abort,
        ]);
        const cni = resolveCni(opts.cni, detected);
        opts.progress.line(a.name, `context ${a.context}: CNI ${cni.cni}${cni.version ? ` ${cni.version}` : ''} (${cni.detail}); ${nodes.length} node(s)${version ? `, Kubernetes ${version}` : ''}`);
        timings.push({ phase: 'inspect', cluster: a.name, ms: performance.now() - started });
        return { name: a.name, cni: cni.cni, cniVersion: cni.version, detail: cni.detail, schedulableNodes: schedulableNodes(nodes), ...(version ? { kubernetesVersion: version } : {}) };
      } catch (e) {
        throw new Error(`${where}: ${withCauses(e)}`, { cause: e });
      }
    }),
  );
  const failed = facts.filter((f): f is PromiseRejectedResult => f.status === 'rejected');
  if (failed.length) {
    // Nothing was applied yet; running the (empty) cleanup also lets a pending Ctrl-C handler exit at once.
    for (const f of await cleanup.runAll()) opts.io.err(f);
    removeHandlers();
    const message = failed.map((f) => (f.reason as Error).message).join('; ');
    const base: Plan = { ...plan, kindVersion: NO_KIND, nodeImageOrigin: NO_NODE_IMAGE, kubernetesVersion: 'unknown', clusters: plan.clusters.map((c) => ({ ...c, kindName: '', cni: { name: opts.cni ?? UNKNOWN_CNI, version: '', options: {} } })) };
    const outcomes = plan.clusters.map((c, i): ClusterOutcome => {
      const f = facts[i]!;
      return f.status === 'fulfilled' ? { name: c.name, status: 'ready' } : { name: c.name, status: 'failed', message: `cannot use it: ${(f.reason as Error).message}` };
    });
    const failure = new ExistingSessionFailure(`the clusters cannot be used: ${message}`, runId, base, project, outcomes, contexts);
    await opts.onFailure?.(failure).catch((err: unknown) => opts.io.err(`could not record the failure of run ${runId}: ${(err as Error).message}`));
    throw failure;
  }
  const clusters = facts.map((f) => (f as PromiseFulfilledResult<ExistingCluster>).value);
  const finalPlan = existingPlan(plan, clusters, project.suites);
  for (const s of finalPlan.suites) if (s.status === 'skip') opts.progress.line('kconn', `suite ${s.name} skipped: ${s.reason}`);
  return {
    existing: true,
    runId,
    project,
    plan: finalPlan,
    contexts,
    access,
    cleanup,
    signal,
    timings,
    async close() {
      const failures = await cleanup.runAll();
      removeHandlers();
      return failures;
    },
  };
}
