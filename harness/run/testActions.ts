import type { KubernetesObject } from '@kubernetes/client-node';
import { pollUntil } from '../kube/poll.js';
import type { TestOutcome } from '../model/runReport.js';
import type { TestAction } from '../model/testAction.js';
import type { ExpandedTest } from './expandTests.js';
import type { SuiteRunOptions } from './runOptions.js';
import { writeEndpointSlice } from './endpointSliceAction.js';
import { readyPods } from './testResolution.js';

type DeploymentObject = KubernetesObject & { spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } } };
type PodObject = KubernetesObject & { metadata?: { deletionTimestamp?: unknown } };

export function describeAction(a: TestAction, runNamespace: string): string {
  if (a.kind === 'endpointSlice') return `write the EndpointSlice of Service ${a.namespace ?? runNamespace}/${a.name} from the ready pods ${a.selector}${a.cluster ? ` on ${a.cluster}` : ''}`;
  return `scale Deployment ${a.namespace ?? runNamespace}/${a.name} to ${a.replicas}${a.cluster ? ` on ${a.cluster}` : ''}`;
}

/**
 * Runs one action. Scale: scales a Deployment of the suite's manifests: the object as the suite applied it, with its replicas changed, applied
 * again (the same field manager: only the replicas change), then waits until exactly that many of its pods exist and
 * are ready (none left terminating when scaled to 0, since a terminating pod may still answer).
 */
export async function runTestAction(a: TestAction, applied: ReadonlyMap<string, readonly KubernetesObject[]>, opts: SuiteRunOptions): Promise<void> {
  if (a.kind === 'endpointSlice') return writeEndpointSlice(a, applied, opts);
  const ns = a.namespace ?? opts.runNamespace;
  const isTarget = (o: KubernetesObject): boolean => o.kind === 'Deployment' && o.metadata?.name === a.name && o.metadata?.namespace === ns;
  const clusters = a.cluster ? [a.cluster] : [...applied].filter(([, objects]) => objects.some(isTarget)).map(([c]) => c);
  if (clusters.length === 0) throw new Error(`no Deployment ${ns}/${a.name} among the suite's manifests`);
  await Promise.all(
    clusters.map(async (cluster) => {
      const access = opts.clusters.get(cluster);
      const own = applied.get(cluster)?.find(isTarget) as DeploymentObject | undefined;
      if (!access || !own) throw new Error(`the suite applied no Deployment ${ns}/${a.name} to cluster ${cluster}`);
      await access.api.apply({ ...own, spec: { ...own.spec, replicas: a.replicas } } as KubernetesObject, { strict: true });
      const selector = Object.entries(own.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      await pollUntil(
        `Deployment ${ns}/${a.name} on ${cluster} at ${a.replicas} pod(s)`,
        async () => {
          const pods = (await access.api.list('v1', 'Pod', ns, selector)) as PodObject[];
          const present = pods.length;
          const ready = readyPods(pods).length;
          return { ready: present === a.replicas && ready === a.replicas, detail: `${present} pod(s), ${ready} ready, want ${a.replicas}` };
        },
        { timeoutMs: opts.readyTimeoutMs, signal: opts.signal, onProgress: (d) => opts.progress(`${cluster}: ${d}`) },
      );
    }),
  );
}

/**
 * Runs a suite's expanded tests: those without actions first, all together; then each test with actions on its own,
 * in file order, after its actions (which stay for the tests after it). A failed action makes its test an error.
 * Returns the outcomes in the order of `tests`.
 */
export async function runWithActions(
  tests: readonly ExpandedTest[],
  applied: ReadonlyMap<string, readonly KubernetesObject[]>,
  opts: SuiteRunOptions,
  execute: (tests: readonly ExpandedTest[]) => Promise<TestOutcome[]>,
  suite: string,
): Promise<TestOutcome[]> {
  const outcomes: (TestOutcome | undefined)[] = tests.map(() => undefined);
  const assign = (indices: readonly number[], results: readonly TestOutcome[]): void => indices.forEach((idx, k) => (outcomes[idx] = results[k]));
  const plain = tests.flatMap((t, i) => (t.test.before ? [] : [i]));
  if (plain.length) assign(plain, await execute(plain.map((i) => tests[i]!)));
  // The copies of one test (one per source cluster) share its actions: they run once, then every copy.
  const staged = [...new Set(tests.filter((t) => t.test.before).map((t) => t.test))];
  for (const test of staged) {
    const indices = tests.flatMap((t, i) => (t.test === test ? [i] : []));
    try {
      for (const a of test.before!) {
        opts.progress(`${suite}: before "${test.name}": ${describeAction(a, opts.runNamespace)}`);
        await runTestAction(a, applied, opts);
      }
    } catch (e) {
      opts.signal.throwIfAborted();
      const message = `before: ${(e as Error).message}`;
      assign(indices, indices.map((i) => ({ suite, name: tests[i]!.name, cluster: tests[i]!.fromCluster, status: 'error', message, observed: `could not run: ${message}`, durationMs: 0, attempts: 0, results: [] })));
      continue;
    }
    assign(indices, await execute(indices.map((i) => tests[i]!)));
  }
  return outcomes as TestOutcome[];
}
