import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { ExecStep } from '../model/plan.js';
import { MESH_PLACEHOLDERS } from '../model/plan.js';
import { parseDuration } from '../model/duration.js';

/** What a host command did; a failing command is a value, callers decide what it means. */
export interface HostCommandResult {
  readonly ok: boolean;
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly message?: string;
}

export interface HostCommandOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Told every line the command writes to stderr or stdout (progress). */
  readonly onLine?: (line: string) => void;
}

/** Runs an argv on the host (no shell), stdin closed so that nothing can wait for input; abortable. */
export type HostCommandRunner = (file: string, args: readonly string[], options: HostCommandOptions) => Promise<HostCommandResult>;

export const execaHostCommand: HostCommandRunner = async (file, args, options) => {
  await mkdir(options.cwd, { recursive: true });
  const child = execa(file, [...args], {
    cwd: options.cwd,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5_000,
  });
  if (options.onLine && child.stderr) createInterface({ input: child.stderr }).on('line', options.onLine);
  const r = await child;
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (!r.failed) return { ok: true, exitCode: r.exitCode ?? 0, stdout, stderr };
  return { ok: false, ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }), stdout, stderr, message: r.shortMessage };
};

/** The values exec steps' placeholders stand for, once the clusters exist. */
export interface PlaceholderValues {
  /** The control plane's IP on the kind network, by topology cluster name. */
  readonly address: (cluster: string) => string;
}

/** Fills `{server:<cluster>}` and `{address:<cluster>}` in one argument. */
export function fillPlaceholders(arg: string, values: PlaceholderValues): string {
  return arg.replace(MESH_PLACEHOLDERS, (_m, kind: string, cluster: string) => {
    const ip = values.address(cluster);
    return kind === 'server' ? `https://${ip}:6443` : ip;
  });
}

/** Default time limit of an exec step. */
export const EXEC_TIMEOUT_MS = 10 * 60_000;

export interface ExecStepRuntime {
  /** Path of the tool argv[0] names (a pinned tool is found or downloaded; others are looked up on PATH). */
  readonly tool: (name: string) => Promise<string>;
  readonly run: HostCommandRunner;
  readonly placeholders: PlaceholderValues;
  /** Folder a step without cwd runs in. */
  readonly defaultCwd: string;
  readonly signal: AbortSignal;
  readonly progress: (line: string) => void;
}

/** A command that failed, with what it printed (kept for the diagnostics). */
export class HostCommandError extends Error {
  constructor(
    message: string,
    readonly result: HostCommandResult,
  ) {
    super(message);
    this.name = 'HostCommandError';
  }
}

/** Runs an exec step; returns its standard output. A non-zero exit, a timeout or a missing tool is an error that says which. */
export async function runExecStep(step: ExecStep, rt: ExecStepRuntime): Promise<string> {
  const [name, ...rest] = step.argv;
  if (!name) throw new Error(`step "${step.summary}" has an empty argv`);
  const file = await rt.tool(name);
  const args = rest.map((a) => fillPlaceholders(a, rt.placeholders));
  const timeoutMs = (step.timeout ? parseDuration(step.timeout) : undefined) ?? EXEC_TIMEOUT_MS;
  const r = await rt.run(file, args, { cwd: step.cwd ?? rt.defaultCwd, timeoutMs, signal: rt.signal, onLine: (l) => rt.progress(`${name}: ${l.trim()}`) });
  rt.signal.throwIfAborted();
  if (!r.ok) {
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join(' | ');
    throw new HostCommandError(`\`${[name, ...args].join(' ')}\` failed (${r.message ?? `exit ${r.exitCode}`})${tail ? `: ${tail}` : ''}`, r);
  }
  return r.stdout;
}
