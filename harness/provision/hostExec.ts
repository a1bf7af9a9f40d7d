import { execa } from 'execa';

/** What a command run on the host did. Never throws for a failing command: callers decide what a failure means. */
export interface HostExecResult {
  /** Started and exited 0. */
  readonly ok: boolean;
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The executable does not exist (ENOENT). */
  readonly notFound?: boolean;
  readonly timedOut?: boolean;
  /** One line saying why, when not ok. */
  readonly message?: string;
}

export interface HostExecOptions {
  readonly timeoutMs?: number;
  /** The complete environment of the child (not merged with process.env). Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs an argv on the host (no shell). Injectable, so checks that run tools can be tested without the tools. */
export type HostExec = (file: string, args: readonly string[], options?: HostExecOptions) => Promise<HostExecResult>;

export const execaHostExec: HostExec = async (file, args, options = {}) => {
  const r = await execa(file, [...args], {
    reject: false,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: 'ignore',
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  const stderr = typeof r.stderr === 'string' ? r.stderr : '';
  if (!r.failed) return { ok: true, exitCode: r.exitCode ?? 0, stdout, stderr };
  return {
    ok: false,
    ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }),
    stdout,
    stderr,
    ...(r.code === 'ENOENT' ? { notFound: true } : {}),
    ...(r.timedOut ? { timedOut: true } : {}),
    message: r.shortMessage ?? `${file} failed`,
  };
};
