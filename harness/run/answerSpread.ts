import type { ProbeResult } from '../model/probe.js';
import type { AnswerSpread, BackendGrouping } from '../model/answerSpread.js';
import { binomialRange } from './binomialRange.js';
import type { Verdict } from './verdict.js';

/** One ready pod behind a test's target: the name it answers with (its hostname), where it runs, its labels. */
export interface Backend {
  readonly pod: string;
  readonly cluster: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What a backend counts as under a grouping; a pod without the label counts as `(no <label>)`. */
export function groupOf(grouping: BackendGrouping, b: Backend): string {
  if (grouping.by === 'pod') return b.pod;
  if (grouping.by === 'cluster') return b.cluster;
  return b.labels[grouping.label] ?? `(no ${grouping.label})`;
}

export function describeGrouping(grouping: BackendGrouping): string {
  return grouping.by === 'label' ? `label ${grouping.label}` : grouping.by;
}

function percent(share: number): string {
  return `${Number(share.toFixed(2))}%`;
}

/** What the spread expects, in words: every group, or each share with its accepted counts out of `n`. */
export function describeSpread(spread: AnswerSpread, n: number, backends: readonly Backend[]): string {
  if (spread.every || spread.one) {
    const groups = readyGroups(spread, backends);
    const among = `(${groups.length}: ${groups.join(', ') || 'none'})`;
    return spread.every
      ? `every ${describeGrouping(spread.group)} answers at least once in ${n} requests ${among}`
      : `one ${describeGrouping(spread.group)} answers all ${n} requests of a source, among the ready ones ${among}`;
  }
  const parts = Object.entries(spread.shares ?? {}).map(([g, share]) => {
    const { lo, hi } = binomialRange(n, share / 100, spread.confidence);
    return `${g} ${percent(share)} (${lo === hi ? lo : `${lo}-${hi}`} of ${n})`;
  });
  return `answers by ${describeGrouping(spread.group)}: ${parts.join(', ')} at ${spread.confidence} confidence`;
}

function readyGroups(spread: AnswerSpread, backends: readonly Backend[]): string[] {
  return [...new Set(backends.map((b) => groupOf(spread.group, b)))].sort();
}

/** Answer counts per group, largest first, e.g. `echo-a 12, echo-b 18`. */
function tally(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([g, c]) => `${g} ${c}`).join(', ');
}

/**
 * Judges how the answers of one source's repeated requests spread over the target's backends. Every answer must
 * already have passed the test's own expectation (reachable, HTTP status); this looks only at who answered.
 * An answer that names no backend is an error (the server does not report its hostname: the test cannot count);
 * one from a pod that is not a ready backend of the target, a missing group (every), or a count outside its binomial
 * range (shares) is a failure.
 */
export function judgeSpread(spread: AnswerSpread, answers: readonly ProbeResult[], backends: readonly Backend[]): Verdict {
  const n = answers.length;
  const expected = describeSpread(spread, n, backends);
  const unnamed = answers.filter((a) => !a.backend);
  if (unnamed.length > 0) {
    const body = JSON.stringify((unnamed[0]!.body ?? '').slice(0, 60));
    return { status: 'error', observed: `${unnamed.length} of ${n} answers named no backend (body ${body}): the server must answer with its hostname, e.g. path /hostname` };
  }
  const byPod = new Map(backends.map((b) => [b.pod, b]));
  const strangers = [...new Set(answers.map((a) => a.backend!).filter((name) => !byPod.has(name)))].sort();
  const counts = new Map<string, number>();
  for (const a of answers) {
    const b = byPod.get(a.backend!);
    const g = b ? groupOf(spread.group, b) : `${a.backend!} (not a backend)`;
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  const observed = `${n} answers: ${tally(counts)}`;
  const fail = (why: string): Verdict => ({ status: 'fail', expected, observed: `${observed}; ${why}` });
  if (strangers.length > 0) {
    return fail(`answered by ${strangers.join(', ')}, which ${strangers.length === 1 ? 'is' : 'are'} not a ready backend of the target${spread.clusters ? ` in ${spread.clusters.join(', ')}` : ''}`);
  }
  if (spread.one) {
    const groups = readyGroups(spread, backends);
    // With a single ready group every answer comes from it whatever the Service does: the check could not fail.
    if (groups.length < 2) return { status: 'error', observed: `${observed}; the target has ${groups.length} ready ${describeGrouping(spread.group)}(s): one answering all proves nothing without a second` };
    if (counts.size > 1) return fail(`answered by ${counts.size} ${describeGrouping(spread.group)}s, not one`);
    const chance = groups.length * (1 / groups.length) ** n;
    return { status: 'pass', observed: `${observed} (with an even spread over ${groups.length}, all ${n} to one has probability ${chance.toPrecision(2)})` };
  }
  if (spread.every) {
    const groups = readyGroups(spread, backends);
    if (groups.length === 0) return { status: 'error', observed: `${observed}; the target has no ready backend to count` };
    const missing = groups.filter((g) => !counts.has(g));
    if (missing.length > 0) {
      // How likely the miss is with an even spread: the reader can tell a real imbalance from too few requests.
      const chance = (1 - 1 / groups.length) ** n;
      return fail(`never answered: ${missing.join(', ')} (with an even spread over ${groups.length}, one given group gets no answer in ${n} requests with probability ${chance.toPrecision(2)})`);
    }
    return { status: 'pass', observed };
  }
  const shares = spread.shares ?? {};
  const groups = [...new Set([...Object.keys(shares), ...counts.keys()])].sort();
  const outside = groups.flatMap((g) => {
    const share = shares[g] ?? 0;
    const { lo, hi } = binomialRange(n, share / 100, spread.confidence);
    const c = counts.get(g) ?? 0;
    return c < lo || c > hi ? [`${g} ${c} of ${n}, expected ${lo === hi ? lo : `${lo}-${hi}`} (${percent(share)})`] : [];
  });
  return outside.length > 0 ? fail(`outside the tolerance: ${outside.join('; ')}`) : { status: 'pass', observed };
}
