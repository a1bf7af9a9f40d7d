import type { ProbeOutcome } from '../model/probe.js';
import type { TestOutcome } from '../model/runReport.js';
import { runSingle } from '../probe/probeEngine.js';
import type { ExpandedTest } from './expandTests.js';
import type { PodRef, SuiteRunOptions } from './runOptions.js';
import { readyPods } from './testResolution.js';

/** A name every cluster DNS must answer: the API server's Service. */
export const KNOWN_NAME = 'kubernetes.default.svc.cluster.local';

export type DnsLookup = (cluster: string, pod: PodRef) => Promise<{ outcome: ProbeOutcome; reason?: string }>;

/**
 * An NXDOMAIN proves that a name is missing only if the same source's DNS answers a name that must exist: a broken
 * resolver, search path or CoreDNS that answers NXDOMAIN to everything would otherwise pass every `nxdomain` test.
 * For every passing `nxdomain` test, its sources look up the API server's Service; where that does not resolve, the
 * test is an error with the reason, never a pass. Other tests are returned as they are.
 */
export async function confirmNxdomains(
  tests: readonly ExpandedTest[],
  outcomes: readonly TestOutcome[],
  opts: SuiteRunOptions,
  lookup: DnsLookup = (cluster, pod) => realLookup(opts, cluster, pod),
): Promise<TestOutcome[]> {
  const checked = new Map<string, Promise<string | undefined>>();
  const problemFor = (t: ExpandedTest): Promise<string | undefined> => {
    const ns = t.test.from.namespace ?? opts.runNamespace;
    const key = `${t.fromCluster}/${ns}/${t.test.from.selector}`;
    let p = checked.get(key);
    if (!p) {
      p = (async () => {
        const access = opts.clusters.get(t.fromCluster);
        if (!access) return `cluster ${t.fromCluster} is not part of this run`;
        const pods = readyPods(await access.api.list('v1', 'Pod', ns, t.test.from.selector));
        for (const pod of pods) {
          const r = await lookup(t.fromCluster, pod);
          if (r.outcome !== 'resolved') return `the cluster DNS does not resolve ${KNOWN_NAME} from ${pod.namespace}/${pod.name} (${r.outcome}${r.reason ? `: ${r.reason}` : ''}): an NXDOMAIN from it proves nothing`;
        }
        return undefined;
      })().catch((e: Error) => `the DNS control could not run: ${e.message}`);
      checked.set(key, p);
    }
    return p;
  };
  return Promise.all(
    outcomes.map(async (o, i) => {
      const t = tests[i];
      if (!t || o.status !== 'pass' || t.test.type !== 'dns' || t.test.expect.outcome !== 'nxdomain') return o;
      const problem = await problemFor(t);
      return problem ? { ...o, status: 'error' as const, message: problem, observed: `${o.observed ?? ''}; ${problem}` } : o;
    }),
  );
}

async function realLookup(opts: SuiteRunOptions, cluster: string, pod: PodRef): Promise<{ outcome: ProbeOutcome; reason?: string }> {
  const exec = opts.clusters.get(cluster)!.execFor(pod);
  const r = await runSingle(exec, { id: 'dns-control', spec: { kind: 'dns', name: KNOWN_NAME, recordType: 'A', timeoutMs: 3000 } });
  return { outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
}
