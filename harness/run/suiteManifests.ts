import { readFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeApi } from '../kube/kubeApi.js';
import { parseManifest } from '../kube/manifest.js';
import { pollUntil } from '../kube/poll.js';
import { RUN_LABEL, SUITE_LABEL } from '../model/labels.js';
import type { Suite, SuiteManifest } from '../model/suite.js';
import { fillTopologyValues, type ClusterValues } from '../model/topologyValues.js';
import { overrideProbeImages, probeImages } from '../probe/probeImages.js';
import type { SuiteRunOptions } from './runOptions.js';
import { certificateSecrets } from './suiteCertificates.js';
import { workloadsReady } from './workloadReadiness.js';

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
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: runNamespace, labels: { [RUN_LABEL]: runIdOf({ runNamespace }) } } };
  return [ns, ...placed];
}

/** Policy kinds whose leftovers change what later suites observe: always swept, whatever the suites apply. */
const POLICY_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy' },
  { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy' },
  { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy' },
];

/** Every object a suite applies carries the run and the suite, so that what a kept run left can be told apart. */
export function labelForSuite(objects: readonly KubernetesObject[], runId: string, suite: string): KubernetesObject[] {
  return objects.map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, [RUN_LABEL]: runId, [SUITE_LABEL]: suite } } }));
}

const identity = (o: KubernetesObject): string => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * Deletes what other suites or other runs applied (labelled by kconn) before a suite applies its own: a NetworkPolicy
 * left by a kept run would otherwise change the next run's verdicts. Objects this suite is about to apply are left to
 * the apply (it relabels them), and so are namespaces it applies into. Returns what was deleted.
 */
export async function removeStaleObjects(
  api: KubeApi,
  own: readonly KubernetesObject[],
  kinds: readonly { apiVersion: string; kind: string }[],
  runId: string,
  suite: string,
): Promise<string[]> {
  const applying = new Set(own.map(identity));
  const usedNamespaces = new Set(own.map((o) => o.metadata?.namespace).filter((n): n is string => !!n));
  const seenKinds = new Set<string>();
  const deleted = new Set<string>();
  for (const k of [...kinds, ...POLICY_KINDS]) {
    const key = `${k.apiVersion}/${k.kind}`;
    if (seenKinds.has(key)) continue;
    seenKinds.add(key);
    for (const o of await api.list(k.apiVersion, k.kind, undefined, SUITE_LABEL)) {
      const labels = o.metadata?.labels ?? {};
      const full = { ...o, apiVersion: o.apiVersion ?? k.apiVersion, kind: o.kind ?? k.kind };
      if (labels[SUITE_LABEL] === undefined) continue; // never touch what kconn did not label
      if (labels[RUN_LABEL] === runId && labels[SUITE_LABEL] === suite) continue;
      if (applying.has(identity(full))) continue;
      if (full.kind === 'Namespace' && usedNamespaces.has(full.metadata?.name ?? '')) continue;
      await api.delete(full);
      deleted.add(`${full.kind} ${full.metadata?.namespace ? `${full.metadata.namespace}/` : ''}${full.metadata?.name} (run ${labels[RUN_LABEL] ?? '?'}, suite ${labels[SUITE_LABEL] ?? '?'})`);
    }
  }
  return [...deleted];
}

/**
 * The objects of one of a suite's manifest files, as they will be applied: `${clusters.<name>.<field>}` filled from
 * the planned topology (when given; without it the references stay as text), probe images replaced by the configured
 * ones (KCONN_CLIENT_IMAGE / KCONN_SERVER_IMAGE).
 */
export async function readSuiteManifest(m: SuiteManifest, values?: ReadonlyMap<string, ClusterValues>): Promise<KubernetesObject[]> {
  const text = await readFile(m.path, 'utf8');
  return overrideProbeImages(parseManifest(values ? fillTopologyValues(text, values, m.declaredPath) : text, m.declaredPath), probeImages());
}

/**
 * Applies a suite's manifests to their clusters (server-side apply) and waits until their workloads are ready.
 * Returns what each cluster got, as applied (tests' actions change these objects).
 */
export async function applySuiteManifests(
  suite: Suite,
  opts: SuiteRunOptions,
  sweepKinds: readonly { apiVersion: string; kind: string }[] = [],
): Promise<ReadonlyMap<string, readonly KubernetesObject[]>> {
  const runId = runIdOf(opts);
  const perCluster = new Map<string, KubernetesObject[]>();
  for (const m of suite.manifests) {
    const objects = labelForSuite(placeInRunNamespace(await readSuiteManifest(m, opts.topologyValues ?? new Map()), opts.runNamespace), runId, suite.name);
    for (const cluster of m.clusters ?? [...opts.clusters.keys()]) perCluster.set(cluster, [...(perCluster.get(cluster) ?? []), ...objects]);
  }
  // The certificates' Secrets go in after the namespaces and before everything else, so that the Gateways and Ingresses
  // that serve them find them.
  const secrets = labelForSuite(placeInRunNamespace(await certificateSecrets(suite.name, suite.certificates ?? [], opts.external), opts.runNamespace), runId, suite.name);
  if (secrets.length) {
    for (const [cluster, objects] of perCluster) perCluster.set(cluster, [...objects.filter((o) => o.kind === 'Namespace'), ...secrets, ...objects.filter((o) => o.kind !== 'Namespace')]);
  }
  await applyToClusters(suite.name, perCluster, opts, sweepKinds);
  return perCluster;
}

/** The run id a run namespace (kconn-<run-id>) stands for. */
export function runIdOf(opts: Pick<SuiteRunOptions, 'runNamespace'>): string {
  return opts.runNamespace.replace(/^kconn-/, '');
}

/**
 * Applies each cluster's objects (labelled for the suite) after removing what other suites or runs left, registers
 * their removal, and waits until their workloads are ready; every cluster settles before this returns.
 */
export async function applyToClusters(
  suiteName: string,
  perCluster: ReadonlyMap<string, readonly KubernetesObject[]>,
  opts: SuiteRunOptions,
  sweepKinds: readonly { apiVersion: string; kind: string }[] = [],
): Promise<void> {
  const runId = runIdOf(opts);
  const suite = { name: suiteName };
  // Every cluster settles before this returns (no apply still running when cleanup starts); the first error wins.
  const settled = await Promise.allSettled(
    [...perCluster].map(async ([cluster, objects]) => {
      const access = opts.clusters.get(cluster);
      if (!access) throw new Error(`suite ${suite.name}: no cluster ${cluster}`);
      const kinds = [...sweepKinds, ...objects.map((o) => ({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '' }))];
      for (const gone of await removeStaleObjects(access.api, objects, kinds, runId, suite.name)) opts.progress(`${cluster}: removed leftover ${gone}`);
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
      const applyStarted = performance.now();
      for (const o of objects) {
        opts.signal.throwIfAborted();
        // Registered before the apply, so a half-applied suite is removed too (deleting what is absent is fine).
        if (!opts.keep) opts.cleanup.add(`${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name} on ${cluster}`, () => access.api.delete(o));
        await access.api.apply(o, { strict: true });
      }
      opts.onTiming?.({ phase: 'apply', suite: suite.name, cluster, ms: performance.now() - applyStarted });
      opts.progress(`${cluster}: applied ${objects.length} object(s); waiting for workloads`);
      const waitStarted = performance.now();
      await pollUntil(`workloads of suite ${suite.name} on ${cluster}`, () => workloadsReady(access.api, objects), {
        timeoutMs: opts.readyTimeoutMs,
        signal: opts.signal,
        onProgress: (d) => opts.progress(`${cluster}: ${d}`),
      });
      opts.onTiming?.({ phase: 'wait', suite: suite.name, cluster, ms: performance.now() - waitStarted });
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
