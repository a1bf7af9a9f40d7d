import { KindCli } from '../provision/kindCli.js';
import { listRunStates, readRunState, removeRunState, type RunState } from '../provision/runState.js';
import { ensureTool } from '../provision/toolCache.js';
import { cacheDir, runsRoot } from './environment.js';
import type { Progress } from './progress.js';
import type { CommandIO } from './validateCommand.js';

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
  let failed = 0;
  for (const run of runs) {
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
  }
  return failed ? 1 : 0;
}
