/** Result of running one argv inside a source's network namespace. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The executable a runtime could not start, from its message (runc, containerd, Docker, the exec API), or undefined. */
export function missingExecutable(text: string): string | undefined {
  return /exec: "([^"]+)": (?:executable file not found|stat [^:\n]*: no such file or directory)/i.exec(text)?.[1];
}

/** The exec itself could not run (container or pod gone, not running, API unreachable...). */
export class ExecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecError';
  }
}

/**
 * Runs an argv inside a source (a pod's container, a Docker container) with a deadline. No shell is involved:
 * the argv reaches the runtime as an array. Implementations: KubeExec (cluster pods), DockerExec (containers).
 */
export interface PodExec {
  /** Human description of the source, e.g. `docker:kconn-client-1`. */
  readonly source: string;
  /** Throws ExecError when the exec could not run; a non-zero exit of the command is a normal result. */
  exec(argv: readonly string[], timeoutMs: number): Promise<ExecResult>;
  /**
   * Runs a bash script as `exec(['bash', '-c', script])` would, through one long-lived exec of the source
   * (ScriptSession) where the source has one: the probe engine's batches use it, so that a run pays for one exec per
   * source, not one per batch.
   */
  runScript?(script: string, timeoutMs: number): Promise<ExecResult>;
  /** Ends the long-lived exec, if one is open. */
  close?(): void;
  /** A shell command line that runs the same argv by hand. */
  reproduce(argv: readonly string[]): string;
}
