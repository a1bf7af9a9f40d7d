import { readFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../kube/kubeApi.js';
import { pollUntil } from '../kube/poll.js';
import type { ProbeResult } from '../model/probe.js';
import type { TestOutcome } from '../model/runReport.js';
import type { Suite } from '../model/suite.js';
import type { PodExec } from '../probe/podExec.js';
import { overrideProbeImages, probeImages } from '../probe/probeImages.js';
import { runBatches, type ProbeRequest, type SourceBatch } from '../probe/probeEngine.js';
import type { CleanupRegistry } from '../provision/cleanup.js';
import { parseManifest } from '../provision/stepRunner.js';
import type { ExpandedTest } from './expandTests.js';
import { probeSpecFor } from './probeSpecs.js';
import { describeExpectation, judge, type Verdict } from './verdict.js';
import { workloadsReady } from './workloadReadiness.js';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly ip?: string;
}

/** One cluster as the runner sees it: its API and a way to exec into its pods. */
export interface ClusterAccess {
  readonly name: string;
  readonly api: KubeApi;
  execFor(pod: PodRef): PodExec;
}

export interface SuiteRunOptions {
  readonly clusters: ReadonlyMap<string, ClusterAccess>;
  /** Namespace of this run (kconn-<run-id>): manifest objects that name no namespace go there, and so do tests. */
  readonly runNamespace: string;
  readonly cleanup: CleanupRegistry;
  readonly keep: boolean;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
  readonly readyTimeoutMs: number;
  readonly execConcurrency?: number;
}

/** Annotation naming the container to probe from, when a pod has several. */
export const PROBE_CONTAINER_ANNOTATION = 'kconn.dev/probe-container';

type PodObject = KubernetesObject & {
  spec?: { containers?: { name: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
};

function readyPods(pods: readonly KubernetesObject[]): PodRef[] {
  return (pods as PodObject[])
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => ({
      namespace: p.metadata!.namespace!,
      name: p.metadata!.name!,
      container: p.metadata?.annotations?.[PROBE_CONTAINER_ANNOTATION] ?? p.spec?.containers?.[0]?.name ?? '',
      ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Kinds without a namespace (core and the CNIs' own); everything else is namespaced. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'RuntimeClass', 'IngressClass',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy',
  'GlobalNetworkPolicy', 'GlobalNetworkSet', 'CiliumClusterwideNetworkPolicy',
]);

/**
 * Namespaced objects that name no namespace are put in the run's namespace (created first, labelled with the run),
 * so two runs against the same cluster (--reuse) never share them.
 */
export function placeInRunNamespace(objects: readonly KubernetesObject[], runNamespace: string): KubernetesObject[] {
  const placed = objects.map((o) => (o.kind && !CLUSTER_SCOPED.has(o.kind) && !o.metadata?.namespace ? { ...o, metadata: { ...o.metadata, namespace: runNamespace } } : o));
  if (!placed.some((o, i) => o !== objects[i])) return placed;
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: runNamespace, labels: { 'kconn.dev/run': runNamespace.replace(/^kconn-/, '') } } };
  return [ns, ...placed];
}

/** Applies a suite's manifests to their clusters (server-side apply) and waits until their workloads are ready. */
export async function applySuiteManifests(suite: Suite, opts: SuiteRunOptions): Promise<void> {
  const perCluster = new Map<string, KubernetesObject[]>();
  for (const m of suite.manifests) {
    const objects = placeInRunNamespace(overrideProbeImages(parseManifest(await readFile(m.path, 'utf8'), m.declaredPath), probeImages()), opts.runNamespace);
    for (const cluster of m.clusters ?? [...opts.clusters.keys()]) perCluster.set(cluster, [...(perCluster.get(cluster) ?? []), ...objects]);
  }
  // Every cluster settles before this returns (no apply still running when cleanup starts); the first error wins.
  const settled = await Promise.allSettled(
    [...perCluster].map(async ([cluster, objects]) => {
      const access = opts.clusters.get(cluster);
      if (!access) throw new Error(`suite ${suite.name}: no cluster ${cluster}`);
      // A namespace removed by the previous suite may still be terminating: applying into it would fail.
      for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
        await pollUntil(
          `namespace ${ns.metadata?.name} on ${cluster} to finish terminating`,
          async () => {
            const live = (await access.api.get('v1', 'Namespace', ns.metadata!.name!)) as { status?: { phase?: string } } | undefined;
            return { ready: live?.status?.phase !== 'Terminating', detail: `namespace ${ns.metadata?.name}: ${live?.status?.phase ?? 'absent'}` };
          },
          { timeoutMs: opts.readyTimeoutMs, signal: opts.signal },
        );
      }
      for (const o of objects) {
        opts.signal.throwIfAborted();
        // Registered before the apply, so a half-applied suite is removed too (deleting what is absent is fine).
        if (!opts.keep) opts.cleanup.add(`${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name} on ${cluster}`, () => access.api.delete(o));
        await access.api.apply(o);
      }
      opts.progress(`${cluster}: applied ${objects.length} object(s); waiting for workloads`);
      await pollUntil(`workloads of suite ${suite.name} on ${cluster}`, () => workloadsReady(access.api, objects), {
        timeoutMs: opts.readyTimeoutMs,
        signal: opts.signal,
        onProgress: (d) => opts.progress(`${cluster}: ${d}`),
      });
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

interface Prepared {
  readonly expanded: ExpandedTest;
  readonly sources: PodRef[];
  readonly targets: string[];
  readonly problem?: string;
}

async function resolve(t: ExpandedTest, opts: SuiteRunOptions): Promise<Prepared> {
  const from = opts.clusters.get(t.fromCluster);
  const to = opts.clusters.get(t.toCluster);
  if (!from || !to) return { expanded: t, sources: [], targets: [], problem: `cluster ${!from ? t.fromCluster : t.toCluster} is not part of this run` };
  const fromNs = t.test.from.namespace ?? opts.runNamespace;
  const sources = readyPods(await from.api.list('v1', 'Pod', fromNs, t.test.from.selector));
  if (sources.length === 0) {
    return { expanded: t, sources, targets: [], problem: `no running, ready pod matches ${t.test.from.selector} in namespace ${fromNs} on cluster ${t.fromCluster}` };
  }
  if (t.test.type === 'dns') return { expanded: t, sources, targets: [''] };
  const target = t.test.to;
  if (target.kind === 'host') return { expanded: t, sources, targets: [target.host] };
  const toNs = target.namespace ?? opts.runNamespace;
  if (target.kind === 'service') {
    const svc = (await to.api.get('v1', 'Service', target.name, toNs)) as { spec?: { clusterIP?: string } } | undefined;
    const ip = svc?.spec?.clusterIP;
    if (!svc) return { expanded: t, sources, targets: [], problem: `service ${toNs}/${target.name} not found on cluster ${t.toCluster}` };
    if (!ip || ip === 'None') return { expanded: t, sources, targets: [], problem: `service ${toNs}/${target.name} is headless: target its pods instead` };
    return { expanded: t, sources, targets: [ip] };
  }
  const pods = readyPods(await to.api.list('v1', 'Pod', toNs, target.selector)).filter((p) => p.ip);
  if (pods.length === 0) return { expanded: t, sources, targets: [], problem: `no ready target pod matches ${target.selector} in ${toNs} on cluster ${t.toCluster}` };
  return { expanded: t, sources, targets: pods.map((p) => p.ip!) };
}

function worst(verdicts: readonly Verdict[]): Verdict['status'] {
  if (verdicts.some((v) => v.status === 'error')) return 'error';
  if (verdicts.some((v) => v.status === 'fail')) return 'fail';
  return 'pass';
}

/** Pause between attempts, so that a retry gives a cluster time to converge (policies, endpoints). */
export const RETRY_DELAY_MS = 1000;

/** An expectation that something does NOT work: one lost packet must not be enough to pass it. */
function negative(t: ExpandedTest): boolean {
  const e = t.test.expect;
  return (e.kind === 'connectivity' && (e.outcome === 'blocked' || e.outcome === 'refused')) || (e.kind === 'dns' && e.outcome === 'nxdomain');
}

/**
 * Runs a suite's expanded tests: resolves sources (ready pods) and targets (ClusterIPs, pod IPs, hosts), sends all
 * probes of one source pod in one batch, judges every result, and retries tests that did not pass up to their
 * `attempts`, a second apart. A test that passes only on a retry is flaky. With retries allowed, a negative
 * expectation (blocked, refused, nxdomain) must hold on two attempts in a row, so a single dropped packet never
 * passes as "blocked". Returns one outcome per expanded test, in order; the last attempt decides.
 */
export async function executeTests(suiteName: string, tests: readonly ExpandedTest[], opts: SuiteRunOptions): Promise<TestOutcome[]> {
  const started = Date.now();
  const prepared = await Promise.all(tests.map((t) => resolve(t, opts)));
  const results = new Map<number, ProbeResult[]>();
  const attempts = new Map<number, number>();
  const streak = new Map<number, number>();
  const everFailed = new Set<number>();
  const done = (i: number): boolean => {
    const t = prepared[i]!.expanded;
    const needed = negative(t) && t.test.attempts > 1 ? 2 : 1;
    return (streak.get(i) ?? 0) >= needed;
  };
  const maxAttempts = Math.max(1, ...tests.map((t) => t.test.attempts));
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const pending = prepared
      .map((p, i) => ({ p, i }))
      .filter(({ p, i }) => !p.problem && p.expanded.test.attempts >= attempt && !done(i));
    if (pending.length === 0) break;
    if (attempt > 1) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    opts.signal.throwIfAborted();
    const batches = new Map<string, SourceBatch & { requests: ProbeRequest[] }>();
    for (const { p, i } of pending) {
      const access = opts.clusters.get(p.expanded.fromCluster)!;
      for (const pod of p.sources) {
        const key = `${p.expanded.fromCluster}/${pod.namespace}/${pod.name}`;
        const batch = batches.get(key) ?? { exec: access.execFor(pod), requests: [] };
        p.targets.forEach((address, j) => batch.requests.push({ id: `${i}|${j}|${key}`, spec: probeSpecFor(p.expanded.test, address || undefined) }));
        batches.set(key, batch);
      }
    }
    opts.progress(`${suiteName}: attempt ${attempt}: ${[...batches.values()].reduce((n, b) => n + b.requests.length, 0)} probe(s) from ${batches.size} pod(s)`);
    const flat = (await runBatches([...batches.values()], opts.execConcurrency)).flat();
    for (const { p, i } of pending) {
      const mine = flat.filter((r) => r.id.startsWith(`${i}|`));
      results.set(i, mine);
      attempts.set(i, attempt);
      if (worst(mine.map((r) => judge(p.expanded.test.expect, r))) === 'pass') {
        streak.set(i, (streak.get(i) ?? 0) + 1);
      } else {
        streak.set(i, 0);
        everFailed.add(i);
      }
    }
  }
  const elapsed = Date.now() - started;
  return prepared.map((p, i): TestOutcome => {
    const base = { suite: suiteName, name: p.expanded.name, cluster: p.expanded.fromCluster, durationMs: elapsed, attempts: attempts.get(i) ?? 0 };
    if (p.problem) return { ...base, status: 'error', message: p.problem, observed: `could not run: ${p.problem}`, results: [] };
    const mine = results.get(i) ?? [];
    const verdicts = mine.map((r) => judge(p.expanded.test.expect, r));
    const status = worst(verdicts);
    const bad = mine.find((_, k) => verdicts[k]!.status !== 'pass');
    const observed = [...new Set(verdicts.map((v, k) => `${v.observed} from ${mine[k]!.source}`))].join('; ');
    return {
      ...base,
      status,
      expected: describeExpectation(p.expanded.test.expect),
      observed,
      ...(bad ? { reproduce: bad.reproduce } : {}),
      ...(status === 'pass' && everFailed.has(i) ? { flaky: true } : {}),
      results: mine,
    };
  });
}
