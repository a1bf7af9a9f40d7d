import type { KubernetesObject } from '@kubernetes/client-node';
import type { StartedTestContainer } from 'testcontainers';
import { CleanupRegistry } from '../../harness/provision/cleanup.js';
import type { ClusterAccess, SuiteRunOptions } from '../../harness/run/runOptions.js';
import type { DockerLab } from './dockerLab.js';
import type { MemoryKubeApi } from './memoryKubeApi.js';

/** A running, ready Pod as the API server lists it (the runner reads phase, conditions and podIP). */
export function readyPod(name: string, labels: Record<string, string>, ip: string, namespace = 'demo'): KubernetesObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'main' }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  } as KubernetesObject;
}

/** The pod object of a lab container: named as the container, so that the cluster's exec reaches it. */
export function containerPod(c: StartedTestContainer, labels: Record<string, string>, lab: DockerLab, namespace = 'demo'): KubernetesObject {
  return readyPod(c.getName().replace(/^\//, ''), labels, lab.ip(c), namespace);
}

/** A one-cluster run whose API is in memory and whose pods are lab containers (exec by the pod's name). */
export function labRunOptions(lab: DockerLab, api: MemoryKubeApi, extra: Partial<SuiteRunOptions> = {}): SuiteRunOptions {
  const access: ClusterAccess = { name: 'main', api, execFor: (pod) => lab.exec({ getName: () => pod.name } as StartedTestContainer) };
  return runOptionsFor([access], extra);
}

/** Clusters whose API is in memory and which cannot exec (tests of what the runner does through the API only). */
export function apiOnlyClusters(apis: Readonly<Record<string, MemoryKubeApi>>): ClusterAccess[] {
  return Object.entries(apis).map(([name, api]) => ({ name, api, execFor: () => { throw new Error('no exec in this test'); } }));
}

/** The options of a run over these clusters: run namespace kconn-t1, nothing kept, progress dropped unless given. */
export function runOptionsFor(clusters: readonly ClusterAccess[], extra: Partial<SuiteRunOptions> = {}): SuiteRunOptions {
  return {
    clusters: new Map(clusters.map((c) => [c.name, c])),
    runNamespace: 'kconn-t1',
    cleanup: new CleanupRegistry(),
    keep: false,
    signal: new AbortController().signal,
    progress: () => undefined,
    readyTimeoutMs: 10_000,
    ...extra,
  };
}
