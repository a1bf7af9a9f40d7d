import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { ExecError, missingExecutable, type ExecResult, type PodExec } from './podExec.js';
import { AGENT_SCRIPT, ScriptSession, type AgentChannel, type AgentEvents } from './scriptSession.js';
import { shellJoin, shellQuote } from './shellQuote.js';
import { V4ExecSocket } from './v4ExecSocket.js';

export interface KubeExecTarget {
  /** Cluster name in the topology, for messages. */
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Kubeconfig file the reproduce command points at. */
  readonly kubeconfigPath: string;
  /** Context of that kubeconfig the pod is in, when it is not the file's current context. */
  readonly context?: string;
}

/**
 * Exit code from the Status the API server sends at the end of an exec: Success is 0; a non-zero exit is a Failure
 * with reason NonZeroExitCode and the code in details.causes[reason=ExitCode]. Any other Failure means the exec
 * itself did not run (container gone, executable missing...).
 */
export function exitCodeFromStatus(status: V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (status.reason === 'NonZeroExitCode' && cause?.message && /^\d+$/.test(cause.message)) return Number(cause.message);
  const text = status.message ?? status.reason ?? 'unknown failure';
  // The runtime reports a missing executable as a failed exec (`exec: "bash": executable file not found in $PATH`);
  // keep the probe engine's convention for it (127, the message as stderr). Any other failure, even one that says
  // "no such file or directory" (a missing working directory, a device), is an exec error, not a missing tool.
  if (missingExecutable(text)) return 127;
  throw new ExecError(`exec failed: ${text}`);
}

/** Runs argvs in a pod's container through the Kubernetes exec API (@kubernetes/client-node); no kubectl needed. */
export class KubeExec implements PodExec {
  readonly source: string;
  private readonly api: Exec;
  private readonly session: ScriptSession;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: KubeExecTarget,
  ) {
    this.api = new Exec(kubeConfig, new V4ExecSocket(kubeConfig) as unknown as ConstructorParameters<typeof Exec>[1]);
    this.source = `pod ${target.cluster}/${target.namespace}/${target.pod}`;
    this.session = new ScriptSession(this.source, (events) => this.openAgent(events));
  }

  runScript(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.session.run(script, timeoutMs);
  }

  close(): void {
    this.session.close();
  }

  /** The agent as an exec with stdin (v4 channel 0); its final Status gives the exit code. */
  private async openAgent(events: AgentEvents): Promise<AgentChannel> {
    const stdin = new PassThrough();
    const sink = (push: (c: Buffer) => void): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          push(chunk);
          cb();
        },
      });
    const { namespace, pod, container } = this.target;
    let ended = false;
    const end = (reason: { exitCode?: number; message?: string }): void => {
      if (ended) return;
      ended = true;
      events.ended(reason);
    };
    let ws: Awaited<ReturnType<Exec['exec']>>;
    try {
      ws = await this.api.exec(namespace, pod, container, ['bash', '-c', AGENT_SCRIPT], sink(events.stdout), sink(events.stderr), stdin, false, (status: V1Status) => {
        try {
          end({ exitCode: exitCodeFromStatus(status) });
        } catch (e) {
          end({ message: (e as Error).message });
        }
      });
    } catch (e) {
      throw new ExecError(`exec in ${this.source} failed: ${(e as Error).message}`, { cause: e });
    }
    // The Status frame comes before the close; a close without one is a broken connection.
    ws.on('close', () => setImmediate(() => end({ message: 'connection closed without a status' })));
    const socket = (ws as unknown as { _socket?: { ref(): void; unref(): void } })._socket;
    socket?.unref();
    return {
      write: (data) => void stdin.write(data),
      hold: (held) => (held ? socket?.ref() : socket?.unref()),
      // terminate(), not close(): a closing handshake waits up to 30 s for an API server that no longer answers.
      kill: () => ws.terminate(),
    };
  }

  async exec(argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sink = (into: Buffer[]): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          into.push(chunk);
          cb();
        },
      });
    const { namespace, pod, container } = this.target;
    return new Promise<ExecResult>((resolve, reject) => {
      // terminate(), not close(): a closing handshake waits up to 30 s for an API server that no longer answers.
      let socket: { terminate(): void } | undefined;
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        socket?.terminate();
        finish(() => reject(new ExecError(`exec in ${this.source} did not finish within ${timeoutMs} ms`)));
      }, timeoutMs);
      this.api
        .exec(namespace, pod, container, [...argv], sink(out), sink(err), null, false, (status: V1Status) => {
          finish(() => {
            try {
              const exitCode = exitCodeFromStatus(status);
              const stderr = Buffer.concat(err).toString('utf8');
              // A missing executable prints nothing: the Status message says which one.
              resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: exitCode === 127 && !stderr ? (status.message ?? '') : stderr });
            } catch (e) {
              reject(e);
            }
          });
        })
        .then((ws) => {
          socket = ws;
          // The deadline passed while connecting: close at once, or the remote command and the socket live on.
          if (settled) ws.terminate();
          ws.on('close', () => finish(() => reject(new ExecError(`exec in ${this.source}: connection closed without a status`))));
        })
        .catch((e: unknown) => finish(() => reject(new ExecError(`exec in ${this.source} failed: ${(e as Error).message}`, { cause: e }))));
    });
  }

  reproduce(argv: readonly string[]): string {
    const t = this.target;
    const context = t.context === undefined ? '' : ` --context ${shellQuote(t.context)}`;
    return `kubectl --kubeconfig ${shellQuote(t.kubeconfigPath)}${context} -n ${shellQuote(t.namespace)} exec ${shellQuote(t.pod)} -c ${shellQuote(t.container)} -- ${shellJoin(argv)}`;
  }
}
