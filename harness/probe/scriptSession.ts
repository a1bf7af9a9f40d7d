import { Buffer } from 'node:buffer';
import pLimit from 'p-limit';
import { ExecError, type ExecResult } from './podExec.js';

/**
 * A bash loop that stays in the source and runs the batch scripts sent on its stdin, one after the other: each is
 * `<bytes> <id>\n<script>`; its stdout goes out as it is written, then one line `KCONN-DONE <id> <exit> <b64 stderr
 * or ->`. One exec per source for a whole run instead of one per batch: on a 2-core machine an exec costs the runtime
 * (runc, containerd, the kubelet, the API server) about 120 ms of CPU, as much as ten probes. Each script runs in a
 * subshell of the agent (a fork, no new bash), with the agent's work directory and pipes (KCONN_WORK, fds 5 and 6),
 * so that a batch starts no process but its probes. It ends when its stdin closes (the exec's connection goes away).
 */
export const AGENT_SCRIPT = [
  'export LC_ALL=C',
  'kconn_a_d=$(mktemp -d -p "${TMPDIR:-/dev/shm}" 2>/dev/null || mktemp -d) || exit 90',
  "trap 'rm -rf \"$kconn_a_d\"' EXIT",
  // The batch scripts' work directory and pipes (fd 5: nothing is ever written, for sleeps; fd 6: the probes' news),
  // opened once.
  'exec 5<> <(:) 6<> <(:) || exit 90',
  'while read -r kconn_a_n kconn_a_id; do',
  '  case "$kconn_a_n:$kconn_a_id" in *[!0-9:]*|:*|*:) echo "KCONN-AGENT bad header" >&2; exit 2 ;; esac',
  '  IFS= read -r -d "" -N "$kconn_a_n" kconn_a_s || exit 3',
  '  ( KCONN_WORK=$kconn_a_d; eval "$kconn_a_s" ) </dev/null 2>"$kconn_a_d/agent.err"; kconn_a_rc=$?',
  "  kconn_a_x=-; [ -s \"$kconn_a_d/agent.err\" ] && kconn_a_x=$(head -c 65536 \"$kconn_a_d/agent.err\" | base64 | tr -d '\\n')",
  '  printf "KCONN-DONE %s %s %s\\n" "$kconn_a_id" "$kconn_a_rc" "$kconn_a_x"',
  'done',
].join('\n');

/** The streams of one agent exec, as the runtime gives them. */
export interface AgentChannel {
  write(data: string): void;
  /** Lets the process exit while no batch is under way (the channel's socket), and holds it again. */
  hold(held: boolean): void;
  /** Ends the exec. */
  kill(): void;
}

/** What a channel reports: output as it comes, and its end (with the agent's exit code when the runtime says). */
export interface AgentEvents {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  ended(reason: { exitCode?: number; message?: string }): void;
}

export type OpenAgent = (events: AgentEvents) => Promise<AgentChannel>;

interface Pending {
  readonly id: number;
  readonly resolve: (r: ExecResult) => void;
  readonly reject: (e: Error) => void;
}

/**
 * One long-lived agent exec in a source (AGENT_SCRIPT), opened on first use and again after it ends. `run` sends one
 * script and resolves with what a one-shot `bash -c <script>` would have given: its exit code, stdout and stderr. If
 * the agent ends before the script's end line (the container stopped, bash missing, the connection broke), the
 * result is what the exec gave up to then, with the agent's exit code, as a one-shot exec's would be; if no exit code
 * is known, an ExecError. A script that outlives `timeoutMs` ends the agent (the next run opens a new one).
 */
export class ScriptSession {
  private channel: Promise<AgentChannel> | undefined;
  private pending: Pending | undefined;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  private nextId = 1;
  private readonly serial = pLimit(1);

  constructor(
    private readonly source: string,
    private readonly open: OpenAgent,
  ) {}

  run(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.serial(() => this.runOne(script, timeoutMs));
  }

  /** Ends the agent, if one runs. */
  close(): void {
    const channel = this.channel;
    this.channel = undefined;
    void channel?.then((c) => c.kill(), () => undefined);
  }

  private connect(): Promise<AgentChannel> {
    const events: AgentEvents = {
      stdout: (chunk) => {
        if (this.channel !== opened) return;
        this.out.push(chunk);
        if (chunk.at(-1) === 0x0a) this.settleIfDone();
      },
      stderr: (chunk) => {
        if (this.channel === opened) this.err.push(chunk);
      },
      ended: (reason) => {
        if (this.channel !== opened) return;
        this.channel = undefined;
        const p = this.pending;
        this.pending = undefined;
        if (!p) return;
        const stdout = Buffer.concat(this.out).toString('utf8');
        const stderr = Buffer.concat(this.err).toString('utf8');
        if (reason.exitCode !== undefined) p.resolve({ exitCode: reason.exitCode, stdout, stderr });
        else p.reject(new ExecError(`exec in ${this.source} ended before its probe script did: ${reason.message ?? 'connection closed'}`));
      },
    };
    const opened = this.open(events);
    return opened;
  }

  private async runOne(script: string, timeoutMs: number): Promise<ExecResult> {
    this.channel ??= this.connect();
    const opened = this.channel;
    let channel: AgentChannel;
    try {
      channel = await opened;
    } catch (e) {
      if (this.channel === opened) this.channel = undefined;
      throw e instanceof ExecError ? e : new ExecError(`exec in ${this.source} failed: ${(e as Error).message}`, { cause: e });
    }
    const id = this.nextId++;
    this.out = [];
    this.err = [];
    return new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        if (this.channel === opened) this.channel = undefined;
        channel.kill();
        channel.hold(false);
        reject(new ExecError(`exec in ${this.source} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        channel.hold(false);
      };
      this.pending = {
        id,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      channel.hold(true);
      channel.write(`${Buffer.byteLength(script, 'utf8')} ${id}\n${script}`);
    });
  }

  /** Resolves the pending script once its end line is in. */
  private settleIfDone(): void {
    const p = this.pending;
    if (!p) return;
    const text = Buffer.concat(this.out).toString('utf8');
    const m = new RegExp(`(^|\\n)KCONN-DONE ${p.id} (\\d+) (\\S+)\\n`).exec(text);
    if (!m) return;
    this.pending = undefined;
    const stdout = text.slice(0, m.index + m[1]!.length);
    const stderr = m[3] === '-' ? '' : Buffer.from(m[3]!, 'base64').toString('utf8');
    this.out = [];
    this.err = [];
    p.resolve({ exitCode: Number(m[2]), stdout, stderr });
  }
}
