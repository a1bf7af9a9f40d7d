import { KindCli } from '../provision/kindCli.js';
import { listRunStates, processAlive, readRunState, removeRunState, type RunState } from '../provision/runState.js';
import { ensureTool } from '../provision/toolCache.js';
import { cacheDir, runsRoot } from './environment.js';
import type { Progress } from './progress.js';
import type { CommandIO } from './commandIO.js';

/** `kconn down [--run-id ID | --all]`: removes the clusters of a run (the newest one by default) and its state. */
export async function downCommand(opts: { runId?: string; all?: boolean }, io: CommandIO, progress: Progress): Promise<number> {
  let runs: RunState[];
  if (opts.runId) {
    const state = await readRunState(runsRoot(), opts.runId);
    if (!state) {
      io.err(`no run ${opts.runId} in ${runsRoot()}; kconn prune removes leftovers of unknown runs`);
      return 1;
    }
    runs = [state];
  } else {
    const all = await listRunStates(runsRoot());
    runs = opts.all ? all : all.slice(0, 1);
  }
  if (runs.length === 0) {
    io.err(`nothing to remove: no runs recorded in ${runsRoot()}`);
    return 0;
  }
  const kind = new KindCli(await ensureTool('kind', { cacheDir: cacheDir(), log: (l) => progress.line('tools', l) }));
  const existing = new Set(await kind.getClusters());
  let anyFailed = false;
  for (const run of runs) {
    if (run.pid !== process.pid && processAlive(run.pid) && !run.keep) {
      io.err(`run ${run.runId} is still running (pid ${run.pid}): stop it first (Ctrl-C removes what it created)`);
      anyFailed = true;
      continue;
    }
    let failed = 0;
    for (const c of run.clusters) {
      if (!existing.has(c.kindName)) continue;
      progress.line(run.runId, `deleting kind cluster ${c.kindName}`);
      try {
        await kind.deleteCluster(c.kindName);
      } catch (e) {
        failed++;
        io.err((e as Error).message);
      }
    }
    if (!failed) await removeRunState(runsRoot(), run.runId);
    io.err(`run ${run.runId}: ${failed ? 'not all removed' : 'removed'}`);
    anyFailed ||= failed > 0;
  }
  return anyFailed ? 1 : 0;
}
