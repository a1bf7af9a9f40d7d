import Docker from 'dockerode';
import { KindCli } from '../provision/kindCli.js';
import { prune } from '../provision/prune.js';
import { findTool } from '../provision/findTool.js';
import { runsRoot } from '../session/environment.js';
import type { Progress } from '../session/progress.js';
import type { CommandIO } from '../session/commandIO.js';

/**
 * `kconn prune [--all]`: removes every kconn cluster, container and network left by crashed runs (live and kept runs
 * stay). Exit 1 when something could not be removed, or a run folder holds a state kconn cannot vouch for (left alone).
 */
export async function pruneCommand(opts: { all?: boolean }, io: CommandIO, progress: Progress): Promise<number> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (e) {
    io.err(`Docker is not reachable (${(e as Error).message}); nothing can be pruned`);
    return 1;
  }
  const kindTool = await findTool('kind');
  let result;
  try {
    result = await prune({
      docker,
      ...(kindTool.status === 'ok' && kindTool.path ? { kind: new KindCli(kindTool.path) } : {}),
      stateRoot: runsRoot(),
      includeKept: opts.all ?? false,
      log: (line) => progress.line('prune', line),
    });
  } catch (e) {
    io.err(`kconn prune failed: ${(e as Error).message}`);
    return 1;
  }
  for (const f of result.failures) io.err(f);
  for (const u of result.unreadableRuns) io.err(u);
  if (result.ignoredEntries.length) io.err(`not run folders, left alone in ${runsRoot()}: ${result.ignoredEntries.join(', ')}`);
  if (result.skippedLiveRuns.length) io.err(`left alone (still running, or kept; --all removes kept ones): ${result.skippedLiveRuns.join(', ')}`);
  io.err(`pruned ${result.clusters.length} cluster(s), ${result.containers.length} container(s), ${result.networks.length} network(s)`);
  return result.failures.length || result.unreadableRuns.length ? 1 : 0;
}
