import { openSession } from '../session/clusterSession.js';
import type { CommandIO } from '../session/commandIO.js';
import { contextArgsUsage } from '../session/contextMapping.js';
import { openExistingSession } from '../session/existingSession.js';
import { UserInputError } from '../session/loadAndPlan.js';
import { reportNotRun } from '../session/notRunReport.js';
import type { Progress } from '../session/progress.js';
import { runInSession } from '../session/runInSession.js';
import type { SessionFailure } from '../session/sessionFailure.js';
import { timeoutMs } from './timeoutOption.js';

export interface RunOptions {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly suite?: readonly string[];
  readonly keep?: boolean;
  readonly reuse?: boolean;
  readonly timeout?: string;
  readonly reportsDir?: string;
  /** Run on the clusters of this kubeconfig instead of creating kind clusters. */
  readonly kubeconfig?: string;
  /** `--context NAME` / `--context cluster=context` (with kubeconfig). */
  readonly context?: readonly string[];
  /** Docker network of the run's external endpoint (default kind, where the nodes are; tests use their own). */
  readonly externalNetwork?: string;
}

export const DEFAULT_RUN_TIMEOUT = '60m';

/**
 * `kconn run`: provision (or reuse), preload the suites' images, run every suite through mocha, write JUnit and
 * results.json to reports/<run-id>/, tear down unless --keep. Exit 0 only when every test passed or was skipped for
 * a declared reason.
 */
export async function runCommand(opts: RunOptions, io: CommandIO, progress: Progress): Promise<number> {
  const ms = timeoutMs(opts.timeout, DEFAULT_RUN_TIMEOUT, io);
  if (ms === undefined) return 2;
  // --kubeconfig: clusters the user already has; nothing to keep or reuse (main.ts refuses those combinations too).
  const contexts = contextArgsUsage(opts.context ?? []);
  const usage = [
    ...(opts.kubeconfig === undefined && contexts.args.length ? ['--context needs --kubeconfig: it names a context of that file'] : []),
    ...(opts.kubeconfig !== undefined && (opts.keep || opts.reuse) ? [`--kubeconfig cannot be used with ${opts.keep ? '--keep' : '--reuse'}: kconn neither creates nor removes those clusters`] : []),
    ...contexts.problems,
  ];
  if (usage.length) {
    for (const u of usage) io.err(`kconn run: ${u}`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const onFailure = (failure: SessionFailure): Promise<void> => reportNotRun(failure, startedAt, opts.reportsDir ?? 'reports', io);
  let session;
  try {
    session =
      opts.kubeconfig !== undefined
        ? await openExistingSession({ ...opts, kubeconfig: opts.kubeconfig, contexts: contexts.args, suites: opts.suite ?? [], timeoutMs: ms, io, progress, onFailure })
        : await openSession({ ...opts, suites: opts.suite ?? [], keep: opts.keep ?? false, reuse: opts.reuse ?? false, timeoutMs: ms, io, progress, onFailure });
  } catch (e) {
    io.err(e instanceof UserInputError ? e.message : `kconn run: ${opts.kubeconfig !== undefined ? '' : 'provisioning failed: '}${(e as Error).message}`);
    return 1;
  }
  const { plan } = session;
  let exitCode: number;
  try {
    exitCode = await runInSession(session, opts, startedAt, io, progress);
  } catch (e) {
    io.err(`kconn run failed: ${(e as Error).message}`);
    exitCode = 1;
  } finally {
    const failures = await session.close(opts.keep ?? false);
    for (const f of failures) io.err(f);
    if (opts.keep) io.err(`--keep: clusters kept; remove them with kconn down --run-id ${plan.runId}`);
  }
  return exitCode;
}
