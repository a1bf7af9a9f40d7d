import Docker from 'dockerode';
import { KindCli } from '../provision/kindCli.js';
import { prune } from '../provision/prune.js';
import { findTool } from '../provision/toolCache.js';
import { runsRoot } from './environment.js';
import type { Progress } from './progress.js';
import type { CommandIO } from './commandIO.js';

/** `kconn prune [--all]`: removes every kconn cluster, container and network left by crashed runs (live and kept runs stay). */
export async function pruneCommand(opts: { all?: boolean }, io: CommandIO, progress: Progress): Promise<number> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (e) {
    io.err(`Docker is not reachable (${(e as Error).message}); nothing can be pruned`);
    return 1;
  }
  const kindTool = await findTool('kind');
  const result = await prune({
    docker,
    ...(kindTool.status === 'ok' && kindTool.path ? { kind: new KindCli(kindTool.path) } : {}),
    stateRoot: runsRoot(),
    includeKept: opts.all ?? false,
    log: (line) => progress.line('prune', line),
  });
  for (const f of result.failures) io.err(f);
  if (result.skippedLiveRuns.length) io.err(`left alone (still running, or kept; --all removes kept ones): ${result.skippedLiveRuns.join(', ')}`);
  io.err(`pruned ${result.clusters.length} cluster(s), ${result.containers.length} container(s), ${result.networks.length} network(s)`);
  return result.failures.length ? 1 : 0;
}
