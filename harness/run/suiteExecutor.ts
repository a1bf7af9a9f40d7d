import type { ProbeResult } from '../model/probe.js';
import type { TestOutcome } from '../model/runReport.js';
import { runBatches, type ProbeRequest, type SourceBatch } from '../probe/probeEngine.js';
import type { ExpandedTest } from './expandTests.js';
import { prepareExternal } from './externalPrep.js';
import { clusterControlTarget, probeSpecFor } from './probeSpecs.js';
import type { SuiteRunOptions } from './runOptions.js';
import { resolveTest } from './testResolution.js';
import { describeExpectation, judge, type Verdict } from './verdict.js';

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
  // Tests of the run's external endpoint get their sources readied first (the run CA, the cluster DNS of its name).
  const prepared = await prepareExternal(await Promise.all(tests.map((t) => resolveTest(t, opts))), opts);
  const controls = new Map(await Promise.all([...opts.clusters].map(async ([name, access]) => [name, await clusterControlTarget(access.api)] as const)));
  /** Per test: the time its own probes took, summed over its attempts (the slowest source of each attempt). */
  const durations = new Map<number, number>();
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
        const control = p.expanded.control ?? controls.get(p.expanded.fromCluster);
        const batch = batches.get(key) ?? { exec: access.execFor(pod), requests: [], ...(control ? { control } : {}) };
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
      durations.set(i, (durations.get(i) ?? 0) + Math.max(0, ...mine.map((r) => r.durationMs ?? 0)));
      if (worst(mine.map((r) => judge(p.expanded.test.expect, r))) === 'pass') {
        streak.set(i, (streak.get(i) ?? 0) + 1);
      } else {
        streak.set(i, 0);
        everFailed.add(i);
      }
    }
  }
  return prepared.map((p, i): TestOutcome => {
    const base = { suite: suiteName, name: p.expanded.name, cluster: p.expanded.fromCluster, durationMs: durations.get(i) ?? 0, attempts: attempts.get(i) ?? 0 };
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
