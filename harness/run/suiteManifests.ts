import { readFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseManifest } from '../kube/manifest.js';
import { pollUntil } from '../kube/poll.js';
import { RUN_LABEL } from '../model/labels.js';
import type { Suite, SuiteManifest } from '../model/suite.js';
import { overrideProbeImages, probeImages } from '../probe/probeImages.js';
import type { SuiteRunOptions } from './runOptions.js';
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
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: runNamespace, labels: { [RUN_LABEL]: runNamespace.replace(/^kconn-/, '') } } };
  return [ns, ...placed];
}

/**
 * The objects of one of a suite's manifest files, as they will be applied: probe images replaced by the configured
 * ones (KCONN_CLIENT_IMAGE / KCONN_SERVER_IMAGE).
 */
export async function readSuiteManifest(m: SuiteManifest): Promise<KubernetesObject[]> {
  return overrideProbeImages(parseManifest(await readFile(m.path, 'utf8'), m.declaredPath), probeImages());
}

/** Applies a suite's manifests to their clusters (server-side apply) and waits until their workloads are ready. */
export async function applySuiteManifests(suite: Suite, opts: SuiteRunOptions): Promise<void> {
  const perCluster = new Map<string, KubernetesObject[]>();
  for (const m of suite.manifests) {
    const objects = placeInRunNamespace(await readSuiteManifest(m), opts.runNamespace);
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
        await access.api.apply(o, { strict: true });
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
