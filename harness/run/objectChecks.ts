import type { KubeApi } from '../kube/kubeApi.js';
import { abortableSleep, pollUntil, PollTimeoutError } from '../kube/poll.js';
import type { TestOutcome } from '../model/runReport.js';
import type { ObjectCheck } from '../model/suite.js';
import type { SuiteRunOptions } from './runOptions.js';

/** Time between the two looks that confirm an object is absent (or less, when the check's timeout is shorter). */
export const ABSENT_CONFIRM_MS = 5000;

const NOT_THERE = 'not there yet';

/** One object check as it runs: on one cluster (a check that names none runs on each). */
export interface ExpandedObjectCheck {
  readonly name: string;
  readonly check: ObjectCheck;
  readonly cluster: string;
}

export function expandObjectChecks(checks: readonly ObjectCheck[], clusters: readonly string[]): ExpandedObjectCheck[] {
  return checks.flatMap((check) =>
    (check.cluster ? [check.cluster] : clusters).map((cluster) => ({
      name: check.cluster || clusters.length === 1 ? check.name : `${check.name} [${cluster}]`,
      check,
      cluster,
    })),
  );
}

function describeObject(o: ObjectCheck['object']): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.apiVersion})`;
}

export interface ObjectCheckOptions {
  /** Test seam: the pause between the two looks of an absent check. */
  readonly confirmMs?: number;
  readonly intervalMs?: number;
}

/**
 * Runs one object check against its cluster's API. Its kind must be listable first (a control: a kind the cluster
 * does not know, e.g. a CRD that is not installed, is an error, never "absent"). `exists` polls until the object is
 * there (pass) or the timeout (fail); `absent` passes only when two looks a few seconds apart both find nothing.
 */
export async function runObjectCheck(api: KubeApi, e: ExpandedObjectCheck, suite: string, signal: AbortSignal, options: ObjectCheckOptions = {}): Promise<TestOutcome> {
  const started = performance.now();
  const { object, expect: want, timeoutMs } = e.check;
  const what = describeObject(object);
  const base = { suite, name: e.name, cluster: e.cluster, attempts: 1, results: [], expected: want === 'exists' ? `${what} exists` : `no ${what}` };
  const done = (status: TestOutcome['status'], observed: string): TestOutcome => ({ ...base, status, observed, durationMs: performance.now() - started });
  const get = async (): Promise<boolean> => (await api.get(object.apiVersion, object.kind, object.name, object.namespace)) !== undefined;
  try {
    await api.list(object.apiVersion, object.kind, object.namespace);
  } catch (err) {
    return done('error', `cannot list ${object.kind} (${object.apiVersion}) on cluster ${e.cluster}: ${(err as Error).message} (is its CRD installed?)`);
  }
  try {
    if (want === 'exists') {
      await pollUntil(
        what,
        async () => ((await get()) ? { ready: true, detail: 'exists' } : { ready: false, detail: NOT_THERE }),
        { timeoutMs, signal, ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) },
      );
      return done('pass', `exists (after ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    if (await get()) return done('fail', 'exists');
    const pause = Math.min(options.confirmMs ?? ABSENT_CONFIRM_MS, timeoutMs);
    await abortableSleep(pause, signal);
    if (await get()) return done('fail', `appeared within ${pause} ms of the first look`);
    return done('pass', `absent at two looks ${pause} ms apart`);
  } catch (err) {
    if (err instanceof PollTimeoutError) {
      // A read that kept failing says so: the object may be there behind it.
      const last = err.lastDetail === NOT_THERE ? '' : ` (last look: ${err.lastDetail})`;
      return done('fail', `not there after ${Math.round(timeoutMs / 1000)} s${last}`);
    }
    return done('error', `could not read ${what} on cluster ${e.cluster}: ${(err as Error).message}`);
  }
}

/** Runs a suite's object checks, all at once (each waits on its own cluster's API). */
export async function runObjectChecks(suite: string, checks: readonly ExpandedObjectCheck[], opts: SuiteRunOptions, options: ObjectCheckOptions = {}): Promise<TestOutcome[]> {
  return Promise.all(
    checks.map(async (e) => {
      const access = opts.clusters.get(e.cluster);
      if (!access) {
        return { suite, name: e.name, cluster: e.cluster, status: 'error' as const, message: `cluster ${e.cluster} is not part of this run`, observed: 'could not run', durationMs: 0, attempts: 0, results: [] };
      }
      return runObjectCheck(access.api, e, suite, opts.signal, options);
    }),
  );
}
