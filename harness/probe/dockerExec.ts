import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ExecError, type ExecResult, type PodExec } from './podExec.js';
import { AGENT_SCRIPT, ScriptSession, type AgentChannel, type AgentEvents } from './scriptSession.js';
import { shellJoin, shellQuote } from './shellQuote.js';

/** Runs argvs inside a Docker container (its network namespace) through the Docker API: no shell, no CLI parsing. */
export class DockerExec implements PodExec {
  readonly source: string;
  private readonly session: ScriptSession;

  constructor(
    private readonly docker: Docker,
    private readonly container: string,
  ) {
    this.source = `docker:${container}`;
    this.session = new ScriptSession(this.source, (events) => this.openAgent(events));
  }

  runScript(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.session.run(script, timeoutMs);
  }

  close(): void {
    this.session.close();
  }

  /** The agent as a Docker exec with stdin attached: its hijacked socket carries stdin, and stdout and stderr muxed. */
  private async openAgent(events: AgentEvents): Promise<AgentChannel> {
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await this.docker.getContainer(this.container).exec({ Cmd: ['bash', '-c', AGENT_SCRIPT], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
      stream = await exec.start({ hijack: true, stdin: true });
    } catch (e) {
      throw new ExecError(`docker exec in ${this.container} failed: ${(e as Error).message}`, { cause: e });
    }
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (c: Buffer) => events.stdout(c));
    err.on('data', (c: Buffer) => events.stderr(c));
    this.docker.modem.demuxStream(stream, out, err);
    let ended = false;
    const end = (message?: string): void => {
      if (ended) return;
      ended = true;
      exec.inspect().then(
        (info) => events.ended(typeof info.ExitCode === 'number' && !info.Running ? { exitCode: info.ExitCode } : { message: message ?? 'the exec is still running' }),
        (e: Error) => events.ended({ message: message ?? e.message }),
      );
    };
    stream.on('end', () => end());
    stream.on('close', () => end());
    stream.on('error', (e: Error) => end(`the connection broke: ${e.message}`));
    const socket = stream as unknown as { unref?(): void; ref?(): void; destroy(): void };
    socket.unref?.();
    return {
      write: (data) => void stream.write(data),
      hold: (held) => (held ? socket.ref?.() : socket.unref?.()),
      kill: () => socket.destroy(),
    };
  }

  async exec(argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
    const container = this.docker.getContainer(this.container);
    let stream: NodeJS.ReadWriteStream;
    let exec: Docker.Exec;
    try {
      exec = await container.exec({ Cmd: [...argv], AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
      stream = await exec.start({ hijack: true, stdin: false });
    } catch (e) {
      throw new ExecError(`docker exec in ${this.container} failed: ${(e as Error).message}`, { cause: e });
    }
    const out = new PassThrough();
    const err = new PassThrough();
    const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
    out.on('data', (c: Buffer) => chunks.out.push(c));
    err.on('data', (c: Buffer) => chunks.err.push(c));
    this.docker.modem.demuxStream(stream, out, err);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        (stream as unknown as { destroy(): void }).destroy();
        reject(new ExecError(`docker exec in ${this.container} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (e: Error) => {
        clearTimeout(timer);
        reject(new ExecError(`docker exec in ${this.container} broke: ${e.message}`, { cause: e }));
      });
    });
    let info: Docker.ExecInspectInfo;
    try {
      info = await exec.inspect();
    } catch (e) {
      throw new ExecError(`docker exec in ${this.container}: could not read the exit code: ${(e as Error).message}`, { cause: e });
    }
    if (info.ExitCode === null || info.ExitCode === undefined) throw new ExecError(`docker exec in ${this.container}: no exit code`);
    return { exitCode: info.ExitCode, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
  }

  reproduce(argv: readonly string[]): string {
    return `docker exec ${shellQuote(this.container)} ${shellJoin(argv)}`;
  }
}
