import { readRunState, writeRunState } from '../provision/runState.js';
import { openSession } from '../session/clusterSession.js';
import { runsRoot } from '../session/environment.js';
import type { Progress } from '../session/progress.js';
import { timeoutMs } from './timeoutOption.js';
import type { CommandIO } from '../session/commandIO.js';
import { UserInputError } from '../session/loadAndPlan.js';

export interface UpOptions {
  readonly topology?: string;
  readonly cni?: string;
  /** --node-image: a kind node image for every cluster (validated when planning). */
  readonly nodeImage?: string;
  readonly timeout?: string;
  readonly keep?: boolean;
  readonly reuse?: boolean;
}

export const DEFAULT_UP_TIMEOUT = '20m';

/**
 * `kconn up`: provisions the clusters and stops there, printing each kubeconfig path. On failure or timeout
 * everything created is removed (unless --keep) and the exit code is 1.
 */
export async function upCommand(opts: UpOptions, io: CommandIO, progress: Progress): Promise<number> {
  const ms = timeoutMs(opts.timeout, DEFAULT_UP_TIMEOUT, io);
  if (ms === undefined) return 2;
  try {
    const session = await openSession({ ...opts, keep: opts.keep ?? false, reuse: opts.reuse ?? false, timeoutMs: ms, io, progress });
    await session.close(true);
    const read = await readRunState(runsRoot(), session.plan.runId);
    if (read.status === 'ok') await writeRunState(runsRoot(), { ...read.state, keep: true });
    for (const c of session.clusters) io.out(`${c.name}\t${c.kubeconfig}${c.internalServer ? `\t(internal API ${c.internalServer})` : ''}`);
    io.err(`clusters of run ${session.plan.runId} are up; remove them with: kconn down --run-id ${session.plan.runId}`);
    return 0;
  } catch (e) {
    io.err(e instanceof UserInputError ? e.message : `kconn up failed: ${(e as Error).message}`);
    return 1;
  }
}
