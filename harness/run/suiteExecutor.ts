import type { ProbeResult } from '../model/probe.js';
import type { TestOutcome } from '../model/runReport.js';
import { runBatches } from '../probe/probeEngine.js';
import type { ProbeRequest, SourceBatch } from '../probe/probeRequest.js';
import type { ExpandedTest } from './expandTests.js';
import { prepareExternal } from './externalPrep.js';
import { clusterControlTarget, probeSpecFor } from './probeSpecs.js';
import type { SuiteRunOptions } from './runOptions.js';
import { describeSpread, judgeSpread } from './answerSpread.js';
import { judgeClientAddress } from './clientAddress.js';
import { resolveTest, type Prepared } from './testResolution.js';
import { describeExpectation, judge, type Verdict } from './verdict.js';

function worst(verdicts: readonly Verdict[]): Verdict['status'] {
  if (verdicts.some((v) => v.status === 'error')) return 'error';
  if (verdicts.some((v) => v.status === 'fail')) return 'fail';
  return 'pass';
}

/** A verdict and the probe result it is about (for a spread: the source's first answer, which names the source). */
interface Judged {
  readonly verdict: Verdict;
  readonly result: ProbeResult;
}

/**
 * Every verdict of one attempt of a test: one per probe result against the test's expectation; for a test with
 * `expect.answeredBy` whose answers all passed, one more per source, on how the answers spread over the backends.
 */
function judgeAll(p: Prepared, results: readonly ProbeResult[]): Judged[] {
  const test = p.expanded.test;
  // The id is `<test>|<target>|<source>|<request>`: a target with its own expectation is judged against it.
  const expectationOf = (r: ProbeResult) => p.expectations?.[Number(r.id.split('|')[1])] ?? test.expect;
  // The source pod's key is the id's third part: a clientAddress expectation compares the server's view with its IP.
  const sourceIps = new Map(p.sources.map((s) => [`${p.expanded.fromCluster}/${s.namespace}/${s.name}`, s.ip]));
  const judgeOne = (r: ProbeResult): Verdict => {
    const e = expectationOf(r);
    const v = judge(e, r);
    if (v.status !== 'pass' || e.kind !== 'connectivity' || !e.clientAddress) return v;
    return judgeClientAddress(e.clientAddress, r, sourceIps.get(r.id.split('|')[2] ?? ''));
  };
  const judged = results.map((r) => ({ verdict: judgeOne(r), result: r }));
  const spread = test.type === 'connectivity' ? test.expect.answeredBy : undefined;
  if (!spread || judged.some((j) => j.verdict.status !== 'pass')) return judged;
  const sources = [...new Set(results.map((r) => r.source))];
  return sources.map((source) => {
    const answers = results.filter((r) => r.source === source);
    return { verdict: judgeSpread(spread, answers, p.backends ?? []), result: answers[0]! };
  });
}

/** Requests each source sends to each target address of a test. */
function requestsOf(p: Prepared): number {
  return p.expanded.test.type === 'connectivity' ? (p.expanded.test.requests ?? 1) : 1;
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
  /** Per test: what its first failed attempt saw, kept for a test that then passes (a flaky pass says why). */
  const firstFailure = new Map<number, string>();
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
        p.targets.forEach((address, j) => {
          const spec = probeSpecFor(p.expanded.test, address || undefined, p.port);
          for (let r = 0; r < requestsOf(p); r++) batch.requests.push({ id: `${i}|${j}|${key}|${r}`, spec });
        });
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
      const judged = judgeAll(p, mine);
      if (worst(judged.map((j) => j.verdict)) === 'pass') {
        streak.set(i, (streak.get(i) ?? 0) + 1);
      } else {
        streak.set(i, 0);
        everFailed.add(i);
        if (!firstFailure.has(i)) firstFailure.set(i, `attempt ${attempt}: ${observedOf(judged)}`);
      }
    }
  }
  return prepared.map((p, i): TestOutcome => {
    const base = { suite: suiteName, name: p.expanded.name, cluster: p.expanded.fromCluster, durationMs: durations.get(i) ?? 0, attempts: attempts.get(i) ?? 0 };
    if (p.problem) return { ...base, status: 'error', message: p.problem, observed: `could not run: ${p.problem}`, results: [] };
    const mine = results.get(i) ?? [];
    const judged = judgeAll(p, mine);
    const status = worst(judged.map((j) => j.verdict));
    const bad = judged.find((j) => j.verdict.status !== 'pass')?.result;
    const observed = observedOf(judged);
    const test = p.expanded.test;
    const spread = test.type === 'connectivity' ? test.expect.answeredBy : undefined;
    const own = p.expectations ? ` (${p.targets.length} pod records, each to its pod's own IP)` : '';
    const expected = describeExpectation(test.expect) + own + (spread ? `, ${describeSpread(spread, requestsOf(p) * p.targets.length, p.backends ?? [])}` : '');
    return {
      ...base,
      status,
      expected,
      observed,
      ...(bad ? { reproduce: bad.reproduce } : {}),
      ...(status === 'pass' && everFailed.has(i) ? { flaky: true, firstFailure: firstFailure.get(i)! } : {}),
      results: mine,
    };
  });
}

/** What a test's probes saw, in words, one phrase per distinct observation and source. */
function observedOf(judged: readonly { verdict: { observed: string }; result: { source: string } }[]): string {
  return [...new Set(judged.map((j) => `${j.verdict.observed} from ${j.result.source}`))].join('; ');
}
