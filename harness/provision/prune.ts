import type Docker from 'dockerode';
import { KIND_CLUSTER_LABEL, RUN_LABEL } from '../model/labels.js';
import type { KindCli } from './kindCli.js';
import { listRuns, processAlive, readRunState, removeRunState, unreadableRunMessage } from './runState.js';

export const CLUSTER_PREFIX = 'kconn-';

export interface PruneResult {
  readonly clusters: string[];
  readonly containers: string[];
  readonly networks: string[];
  /** Runs left alone: their process still runs, or their clusters were kept on purpose. */
  readonly skippedLiveRuns: string[];
  /** Run folders whose state is missing or malformed: their run and clusters are left alone (the message says why and what to do). */
  readonly unreadableRuns: string[];
  /** Entries of the runs folder that are not run folders: never touched. */
  readonly ignoredEntries: string[];
  readonly failures: string[];
}

/** Run id inside a kind cluster name kconn-<run>-<cluster>. */
export function runIdOf(clusterName: string): string | undefined {
  return /^kconn-([a-z0-9]{1,6})-/.exec(clusterName)?.[1];
}

/**
 * Removes what crashed runs left: kind clusters named kconn-*, and containers and networks labelled kconn.dev/run.
 * A run whose process is still alive (another `kconn run` on this machine) is left alone, and so are kept runs unless
 * `includeKept`. So is a run whose state file is missing or malformed: kconn cannot tell whether it still runs. kind
 * deletes its clusters when it is available; otherwise their node containers are removed through Docker. Run folders
 * are removed only for the dead runs found at the start, and only when their state is still the one read then.
 */
export async function prune(opts: { docker: Docker; kind?: KindCli; stateRoot: string; log: (line: string) => void; includeKept?: boolean }): Promise<PruneResult> {
  const listing = await listRuns(opts.stateRoot);
  const states = listing.states;
  // Left alone: runs whose process still runs, and clusters a user kept on purpose (kconn up, run --keep).
  const live = new Set(states.filter((s) => processAlive(s.pid) || (s.keep && !opts.includeKept)).map((s) => s.runId));
  const result: PruneResult = {
    clusters: [], containers: [], networks: [], skippedLiveRuns: [...live], failures: [],
    unreadableRuns: listing.unreadable.map(unreadableRunMessage), ignoredEntries: [...listing.ignored],
  };
  for (const u of listing.unreadable) live.add(u.runId);
  const isLive = (runId: string | undefined): boolean => runId !== undefined && live.has(runId);

  const nodeContainers = await opts.docker.listContainers({ all: true, filters: JSON.stringify({ label: [KIND_CLUSTER_LABEL] }) });
  const fromDocker = nodeContainers.map((c) => c.Labels[KIND_CLUSTER_LABEL]!).filter((n) => n.startsWith(CLUSTER_PREFIX));
  const fromKind = opts.kind ? await opts.kind.getClusters().catch(() => []) : [];
  const clusters = [...new Set([...fromKind.filter((n) => n.startsWith(CLUSTER_PREFIX)), ...fromDocker])].filter((n) => !isLive(runIdOf(n))).sort();
  for (const name of clusters) {
    try {
      if (opts.kind && fromKind.includes(name)) {
        await opts.kind.deleteCluster(name);
      } else {
        for (const c of nodeContainers.filter((n) => n.Labels[KIND_CLUSTER_LABEL] === name)) await opts.docker.getContainer(c.Id).remove({ force: true, v: true });
      }
      opts.log(`removed kind cluster ${name}`);
      result.clusters.push(name);
    } catch (e) {
      result.failures.push(`kind cluster ${name}: ${(e as Error).message}`);
    }
  }

  const filters = JSON.stringify({ label: [RUN_LABEL] });
  for (const c of await opts.docker.listContainers({ all: true, filters })) {
    if (isLive(c.Labels[RUN_LABEL])) continue;
    const name = c.Names[0]?.replace(/^\//, '') ?? c.Id;
    try {
      await opts.docker.getContainer(c.Id).remove({ force: true, v: true });
      opts.log(`removed container ${name}`);
      result.containers.push(name);
    } catch (e) {
      result.failures.push(`container ${name}: ${(e as Error).message}`);
    }
  }
  for (const n of await opts.docker.listNetworks({ filters })) {
    if (isLive(n.Labels?.[RUN_LABEL])) continue;
    try {
      await opts.docker.getNetwork(n.Id).remove();
      opts.log(`removed network ${n.Name}`);
      result.networks.push(n.Name);
    } catch (e) {
      result.failures.push(`network ${n.Name}: ${(e as Error).message}`);
    }
  }
  if (result.failures.length === 0) {
    for (const s of states.filter((x) => !live.has(x.runId))) {
      const now = await readRunState(opts.stateRoot, s.runId);
      // A run started since (same id, another process) or a state rewritten meanwhile is not the one judged dead.
      if (now.status !== 'ok' || now.state.pid !== s.pid || now.state.createdAt !== s.createdAt) continue;
      try {
        await removeRunState(opts.stateRoot, s.runId);
      } catch (e) {
        result.failures.push(`run folder of ${s.runId}: ${(e as Error).message}`);
      }
    }
  }
  return result;
}
