import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord } from '../model/isRecord.js';
import { RUN_ID, runIdProblem } from '../model/runId.js';
import { removeInside } from './insideRoot.js';

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

/** A run id that is not `[a-z0-9]{1,6}` (from a flag, a state file or a folder name). Thrown before any file operation. */
export class InvalidRunIdError extends Error {
  constructor(what: string, problem: string) {
    super(`${what}: ${problem}`);
    this.name = 'InvalidRunIdError';
  }
}

function checkRunId(runId: string, what: string): void {
  const problem = runIdProblem(runId);
  if (problem) throw new InvalidRunIdError(what, problem);
}

/** The folder of a run; throws InvalidRunIdError for anything but a run id, so no other path can be made of it. */
export function runDir(root: string, runId: string): string {
  checkRunId(runId, 'run id');
  return join(root, runId);
}

const STATE_FILE = 'state.json';
/** Far above any real state (a few hundred bytes per cluster); a bigger file is not one kconn wrote. */
const MAX_STATE_BYTES = 1024 * 1024;

/** Pending writes by run folder: two clusters created at once write the state one after the other, in call order. */
const writes = new Map<string, Promise<void>>();
let writeCount = 0;

/**
 * Writes a run's state atomically. Writes of one run are queued in the order of the calls, so the last call's state is
 * the one on disk (concurrent renames of one temporary name would fail, or leave an older state last).
 */
export async function writeRunState(root: string, state: RunState): Promise<void> {
  const dir = runDir(root, state.runId);
  const next = (writes.get(dir) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `${STATE_FILE}.${process.pid}.${++writeCount}.tmp`);
      await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, join(dir, STATE_FILE));
    });
  writes.set(dir, next);
  void next.finally(() => {
    if (writes.get(dir) === next) writes.delete(dir);
  }).catch(() => undefined);
  return next;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Problems of a parsed state.json, as `field: problem`, checked field by field against RunState. Besides the types:
 * runId must be the folder's name, and every cluster's kindName must be `kconn-<runId>-<name>`, so that a state file
 * can never make `kconn down` delete a folder or a kind cluster of another run or of someone else.
 */
export function runStateProblems(value: unknown, folderName: string): string[] {
  if (!isRecord(value)) return [`expected a JSON object, got ${describe(value)}`];
  const problems: string[] = [];
  const str = (obj: Record<string, unknown>, key: string, at: string, optional = false): string | undefined => {
    const v = obj[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') {
      problems.push(`${at}${key}: expected a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  };
  const runId = value['runId'];
  const idProblem = runIdProblem(runId);
  if (idProblem) problems.push(`runId: ${idProblem}`);
  else if (runId !== folderName) problems.push(`runId: "${String(runId)}" is not the name of its folder "${folderName}"`);
  str(value, 'topology', '');
  str(value, 'topologyFile', '');
  const createdAt = str(value, 'createdAt', '');
  if (createdAt !== undefined && Number.isNaN(Date.parse(createdAt))) problems.push(`createdAt: ${describe(createdAt)} is not a date`);
  const pid = value['pid'];
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) problems.push(`pid: expected a process id (a positive integer), got ${describe(pid)}`);
  if (typeof value['keep'] !== 'boolean') problems.push(`keep: expected true or false, got ${describe(value['keep'])}`);
  str(value, 'fingerprint', '', true);
  const clusters = value['clusters'];
  if (!Array.isArray(clusters)) {
    problems.push(`clusters: expected a list, got ${describe(clusters)}`);
  } else {
    clusters.forEach((c: unknown, i) => {
      const at = `clusters[${i}].`;
      if (!isRecord(c)) {
        problems.push(`clusters[${i}]: expected an object, got ${describe(c)}`);
        return;
      }
      const name = str(c, 'name', at);
      const kindName = str(c, 'kindName', at);
      if (name !== undefined && kindName !== undefined && !idProblem && kindName !== `kconn-${String(runId)}-${name}`) {
        problems.push(`${at}kindName: "${kindName}" is not kconn-${String(runId)}-${name}, the name kconn gives that cluster`);
      }
      str(c, 'kubeconfig', at);
      str(c, 'internalKubeconfig', at, true);
      str(c, 'internalServer', at, true);
    });
  }
  return problems;
}

export type RunStateRead =
  | { readonly status: 'ok'; readonly runId: string; readonly dir: string; readonly file: string; readonly state: RunState }
  | { readonly status: 'missing'; readonly runId: string; readonly dir: string; readonly file: string }
  /** Not something kconn wrote (or can vouch for): never acted on, never deleted. */
  | { readonly status: 'malformed'; readonly runId: string; readonly dir: string; readonly file: string; readonly problem: string };

/** The one-line message for a state kconn will not touch, with what to do about it. */
export function malformedStateMessage(read: { readonly runId: string; readonly dir: string; readonly file: string; readonly problem: string }): string {
  return (
    `state file ${read.file} is not a kconn run state (${read.problem}); kconn leaves it and its clusters alone: ` +
    `remove ${read.dir} by hand (then kconn prune removes any kconn-${read.runId}-* clusters left), or use the kconn version that wrote it`
  );
}

/** What to tell the user about a run folder kconn will not act on. */
export function unreadableRunMessage(read: RunStateRead & { readonly status: 'missing' | 'malformed' }): string {
  if (read.status === 'malformed') return malformedStateMessage(read);
  return `run folder ${read.dir} holds no ${STATE_FILE}; kconn leaves it alone: remove it by hand if no kconn process is using it`;
}

/**
 * Reads and checks the state of one run. Throws InvalidRunIdError for an id that is not a run id (before touching
 * the disk). A run folder or state.json that is a symbolic link, a file too big, bad JSON or a value of the wrong
 * shape is `malformed`, never an exception.
 */
export async function readRunState(root: string, runId: string): Promise<RunStateRead> {
  const dir = runDir(root, runId);
  const file = join(dir, STATE_FILE);
  const missing = { status: 'missing', runId, dir, file } as const;
  const malformed = (problem: string): RunStateRead => ({ status: 'malformed', runId, dir, file, problem });
  const info = async (path: string) => lstat(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : Promise.reject(e)));
  const dirInfo = await info(dir);
  if (!dirInfo) return missing;
  if (dirInfo.isSymbolicLink()) return malformed(`${dir} is a symbolic link, not a folder kconn made`);
  if (!dirInfo.isDirectory()) return malformed(`${dir} is not a folder`);
  const fileInfo = await info(file);
  if (!fileInfo) return missing;
  if (!fileInfo.isFile()) return malformed(`${fileInfo.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}, not a file kconn wrote`);
  if (fileInfo.size > MAX_STATE_BYTES) return malformed(`${fileInfo.size} bytes, far more than any state kconn writes`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    return malformed(`not JSON: ${(e as Error).message}`);
  }
  const problems = runStateProblems(value, runId);
  if (problems.length) return malformed(problems.join('; '));
  return { status: 'ok', runId, dir, file, state: value as RunState };
}

export interface RunListing {
  /** Every run with a valid state, newest first. */
  readonly states: RunState[];
  /** Folders named like a run whose state is missing or malformed: kconn cannot vouch for them, so it leaves them alone. */
  readonly unreadable: readonly (RunStateRead & { readonly status: 'missing' | 'malformed' })[];
  /** Entries of the runs folder that are not run folders at all (their name is not a run id): never touched. */
  readonly ignored: readonly string[];
}

/** Every run recorded under `root` (absent root: none). Entries whose name is not a run id are listed as ignored. */
export async function listRuns(root: string): Promise<RunListing> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { states: [], unreadable: [], ignored: [] };
    throw new Error(`cannot list the runs in ${root}: ${(e as Error).message}`, { cause: e });
  }
  const states: RunState[] = [];
  const unreadable: (RunStateRead & { status: 'missing' | 'malformed' })[] = [];
  const ignored: string[] = [];
  for (const name of names.sort()) {
    if (!RUN_ID.test(name)) {
      ignored.push(name);
      continue;
    }
    const read = await readRunState(root, name);
    if (read.status === 'ok') states.push(read.state);
    else unreadable.push(read);
  }
  return { states: states.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)), unreadable, ignored };
}

/** Removes a run's folder; only a valid run id, and only a folder that resolves inside `root` (symbolic links followed). */
export async function removeRunState(root: string, runId: string): Promise<void> {
  await removeInside(root, runDir(root, runId));
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
