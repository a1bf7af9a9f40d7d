import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClusterState {
  readonly name: string;
  readonly kindName: string;
  readonly kubeconfig: string;
  /** Kubeconfig whose server is the control-plane container's address on the kind network (cross-cluster use). */
  readonly internalKubeconfig?: string;
  readonly internalServer?: string;
}

/** What a run created, on disk, so that `kconn down` (or another process) can remove it. */
export interface RunState {
  readonly runId: string;
  readonly topology: string;
  readonly topologyFile: string;
  readonly createdAt: string;
  readonly pid: number;
  readonly keep: boolean;
  /** What the clusters were built from (node image, CNI and its options, subnets): --reuse needs the same. */
  readonly fingerprint?: string;
  readonly clusters: readonly ClusterState[];
}

export function runDir(root: string, runId: string): string {
  return join(root, runId);
}

export async function writeRunState(root: string, state: RunState): Promise<void> {
  const dir = runDir(root, state.runId);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `state.json.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, join(dir, 'state.json'));
}

export async function readRunState(root: string, runId: string): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir(root, runId), 'state.json'), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** Every recorded run, newest first. */
export async function listRunStates(root: string): Promise<RunState[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const states: RunState[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const s = await readRunState(root, e.name);
    if (s) states.push(s);
  }
  return states.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function removeRunState(root: string, runId: string): Promise<void> {
  await rm(runDir(root, runId), { recursive: true, force: true });
}

/** Whether the process that owns a run still lives (so prune leaves its clusters alone). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
