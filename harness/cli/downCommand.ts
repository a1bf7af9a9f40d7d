import { runIdProblem } from '../model/runId.js';
import { KindCli } from '../provision/kindCli.js';
import { listRuns, malformedStateMessage, processAlive, readRunState, removeRunState, unreadableRunMessage, type RunState } from '../provision/runState.js';
import { ensureTool } from '../provision/toolCache.js';
import { cacheDir, runsRoot } from '../session/environment.js';
import type { Progress } from '../session/progress.js';
import type { CommandIO } from '../session/commandIO.js';

export interface DownDeps {
  /** The runs folder; default runsRoot(). */
  readonly root?: string;
  /** Finds (or downloads) kind; called only when a cluster may need deleting. */
  readonly kind?: () => Promise<KindCli>;
}

/**
 * `kconn down [--run-id ID | --all]`: removes the clusters of a run (the newest one by default) and its state.
 * A --run-id that is not a run id is wrong usage (exit 2), refused before any file is looked at. A state kconn cannot
 * vouch for (malformed, a symbolic link, a runId that is not its folder's name) is reported and left alone (exit 1).
 * kind is needed (and downloaded if missing) only when a run to remove lists clusters.
 */
export async function downCommand(opts: { runId?: string; all?: boolean }, io: CommandIO, progress: Progress, deps: DownDeps = {}): Promise<number> {
  if (opts.runId !== undefined) {
    const problem = runIdProblem(opts.runId);
    if (problem) {
      io.err(`--run-id: ${problem}`);
      return 2;
    }
    if (opts.all) {
      io.err('--run-id and --all exclude each other: name one run, or all of them');
      return 2;
    }
  }
  const root = deps.root ?? runsRoot();
  try {
    return await down(opts, root, io, progress, deps);
  } catch (e) {
    io.err(`kconn down failed: ${(e as Error).message}`);
    return 1;
  }
}

async function down(opts: { runId?: string; all?: boolean }, root: string, io: CommandIO, progress: Progress, deps: DownDeps): Promise<number> {
  let runs: RunState[];
  let anyFailed = false;
  if (opts.runId !== undefined) {
    const read = await readRunState(root, opts.runId);
    if (read.status === 'missing') {
      io.err(`no run ${opts.runId} in ${root}; kconn prune removes leftovers of unknown runs`);
      return 1;
    }
    if (read.status === 'malformed') {
      io.err(malformedStateMessage(read));
      return 1;
    }
    runs = [read.state];
  } else {
    const listing = await listRuns(root);
    // The newest run is chosen among the states kconn can read; the others are reported, and with --all they fail the command.
    for (const u of listing.unreadable) io.err(unreadableRunMessage(u));
    if (opts.all) anyFailed = listing.unreadable.length > 0;
    runs = opts.all ? listing.states : listing.states.slice(0, 1);
    if (runs.length === 0) {
      io.err(`nothing to remove: no ${listing.unreadable.length ? 'readable ' : ''}runs recorded in ${root}`);
      return listing.unreadable.length ? 1 : 0;
    }
  }

  const removable: RunState[] = [];
  for (const run of runs) {
    if (run.pid !== process.pid && processAlive(run.pid) && !run.keep) {
      io.err(`run ${run.runId} is still running (pid ${run.pid}): stop it first (Ctrl-C removes what it created)`);
      anyFailed = true;
    } else {
      removable.push(run);
    }
  }

  let kind: KindCli | undefined;
  let existing = new Set<string>();
  if (removable.some((r) => r.clusters.length > 0)) {
    try {
      kind = await (deps.kind ?? (async () => new KindCli(await ensureTool('kind', { cacheDir: cacheDir(), log: (l) => progress.line('tools', l) }))))();
      existing = new Set(await kind.getClusters());
    } catch (e) {
      io.err(`kconn down needs kind to delete the clusters of run(s) ${removable.filter((r) => r.clusters.length).map((r) => r.runId).join(', ')}: ${(e as Error).message}`);
      io.err('nothing was removed');
      return 1;
    }
  }

  for (const run of removable) {
    let failed = 0;
    for (const c of run.clusters) {
      if (!kind || !existing.has(c.kindName)) continue;
      progress.line(run.runId, `deleting kind cluster ${c.kindName}`);
      try {
        await kind.deleteCluster(c.kindName);
      } catch (e) {
        failed++;
        io.err((e as Error).message);
      }
    }
    if (!failed) {
      try {
        await removeRunState(root, run.runId);
      } catch (e) {
        failed++;
        io.err((e as Error).message);
      }
    }
    io.err(`run ${run.runId}: ${failed ? 'not all removed' : 'removed'}`);
    anyFailed ||= failed > 0;
  }
  return anyFailed ? 1 : 0;
}
