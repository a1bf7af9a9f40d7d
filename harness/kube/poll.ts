import type { Readiness } from './readiness.js';

export class PollTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly lastDetail: string,
    readonly timeoutMs: number,
  ) {
    super(`${what}: not ready after ${Math.round(timeoutMs / 1000)}s; last seen: ${lastDetail}`);
    this.name = 'PollTimeoutError';
  }
}

/** The check said waiting cannot help (e.g. a Deployment past its progress deadline). */
export class ReadinessFailedError extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'ReadinessFailedError';
  }
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** Told every time the detail changes (progress output). */
  readonly onProgress?: (detail: string) => void;
  /** Injectable for tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (Ctrl-C, the run's timeout). */
export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Polls `check` until it reports ready, the deadline passes (PollTimeoutError with the last detail) or the signal
 * aborts. Errors thrown by `check` (API briefly unreachable while a control plane starts) count as "not ready" until
 * the deadline, and their message becomes the detail.
 */
export async function pollUntil(what: string, check: () => Promise<Readiness>, options: PollOptions): Promise<Readiness> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, options.signal));
  const interval = options.intervalMs ?? 1000;
  const deadline = now() + options.timeoutMs;
  let last = 'not checked yet';
  const aborted = (): Error => {
    const reason = options.signal?.reason as Error | undefined;
    return new Error(`${what}: stopped (${reason?.message ?? 'aborted'}); last seen: ${last}`, { cause: reason });
  };
  for (;;) {
    if (options.signal?.aborted) throw aborted();
    let result: Readiness;
    try {
      result = await check();
    } catch (e) {
      result = { ready: false, detail: `error: ${(e as Error).message}` };
    }
    if (result.detail !== last) options.onProgress?.(result.detail);
    last = result.detail;
    if (result.ready) return result;
    if (result.failed) throw new ReadinessFailedError(what, result.detail);
    if (now() + interval > deadline) throw new PollTimeoutError(what, last, options.timeoutMs);
    try {
      await sleep(interval);
    } catch (e) {
      if (options.signal?.aborted) throw aborted();
      throw e;
    }
  }
}
