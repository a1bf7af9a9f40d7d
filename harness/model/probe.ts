/** What a probe does, as plain data. A probe reports what happened; it never judges. */
export type ProbeSpec =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly timeoutMs: number }
  | { readonly kind: 'udp'; readonly host: string; readonly port: number; readonly timeoutMs: number; readonly payload?: string }
  | {
      readonly kind: 'http';
      readonly scheme: 'http' | 'https';
      readonly host: string;
      readonly port: number;
      readonly path?: string;
      readonly timeoutMs: number;
      /**
       * https only: a CA bundle (an absolute path inside the source) the server's certificate must verify against,
       * name or IP included (`curl --cacert`). A certificate that does not verify is an `error`, never `connected`.
       * Without it, https skips verification (`curl -k`): the probe is then about reachability only.
       */
      readonly caFile?: string;
      /**
       * The name the request asks for, sent as the TLS server name (SNI) and the Host header, while the connection goes
       * to `host` (`curl --connect-to`): a virtual host of a gateway or an Ingress.
       */
      readonly hostname?: string;
    }
  | {
      readonly kind: 'dns';
      readonly name: string;
      readonly recordType: 'A' | 'AAAA' | 'SRV';
      /** Resolver to ask; the source's own resolver (resolv.conf) when absent. */
      readonly server?: string;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'icmp'; readonly host: string; readonly timeoutMs: number };

export type ProbeKind = ProbeSpec['kind'];

/**
 * What happened. `error` means the probe itself could not run (exec failed, pod gone, tool missing, output
 * unparseable): it says nothing about the network and is never counted as blocked.
 */
export type ProbeOutcome = 'connected' | 'refused' | 'timeout' | 'dns-error' | 'resolved' | 'error';

export type DnsError = 'nxdomain' | 'servfail' | 'no-answer' | 'refused' | 'unresolvable';

/** The classification of one run of a probe's tool. */
export interface ProbeObservation {
  readonly outcome: ProbeOutcome;
  readonly httpStatus?: number;
  /** Start of the response body (HTTP) or the reply (UDP). */
  readonly body?: string;
  /** Identity of the serving backend (its hostname), when the server reports it. */
  readonly backend?: string;
  readonly addresses?: readonly string[];
  readonly dnsError?: DnsError;
  /**
   * https with a CA: the server's certificate did not verify against it (untrusted issuer, another name), or did not
   * because its validity has ended (`expired`, as the client said); the TCP connection was made (`outcome:
   * connected`), the reason says what TLS said.
   */
  readonly certificate?: 'rejected' | 'expired';
  /** Why, in words: "connection refused", "no route to host", "tool missing: curl"... */
  readonly reason?: string;
}

/** A positive control: a TCP connect from the same source to a target known to answer (e.g. the cluster DNS service). */
export interface ControlTarget {
  readonly host: string;
  readonly port: number;
}

/** One run of the positive control, as it came out. */
export interface ControlRun {
  /** `tcp <host>:<port>` */
  readonly target: string;
  readonly outcome: ProbeOutcome;
  readonly latencyMs?: number;
  readonly reason?: string;
  /** For a control that timed out, where the kernel says: the state of its connect at the deadline. */
  readonly connect?: ConnectEvidence;
}

/**
 * What the kernel said of a TCP connect when its probe's deadline passed (probe/kinds/probeKind.ts
 * connectEvidenceScript). A starved source can time a probe out whatever the target did; the kernel answers SYNs and
 * notes their fate without needing the probe's CPU, so this tells a blocked target from a source that had no time.
 */
export interface ConnectEvidence {
  /**
   * syn-sent: the SYN was still unanswered; established: the target had answered, the probe process had not run
   * since; no-socket: the connect had not started (name resolution or process start took the whole timeout); other:
   * another TCP state (`tcpState`, the kernel's hex code).
   */
  readonly state: 'syn-sent' | 'established' | 'no-socket' | 'other';
  readonly tcpState?: string;
  /** For syn-sent: how long the SYN had gone unanswered by then (a lower bound, from the retransmit timer). */
  readonly synUnansweredMs?: number;
}

/**
 * What the engine measured so that a negative outcome (timeout, refused) can be trusted; run/verdict.ts judges it.
 * A probe result without evidence proves nothing negative.
 */
export interface ProbeEvidence {
  /**
   * The controls run from the same source around this result's run: for a batch run, the one started first and the
   * one started after the last probe; for a lone re-run, the one just before and the one just after it. Empty when
   * the caller supplied no control target.
   */
  readonly controls: readonly ControlRun[];
  /** The result was measured with nothing else in flight from its source (a lone re-run, or a batch of one). */
  readonly alone: boolean;
  /** For a timeout: how much longer than the tool's own wait it took (process start included); the source's timekeeping. */
  readonly lateMs?: number;
  /** For a TCP timeout, where the kernel says: the state of its connect at the deadline. */
  readonly connect?: ConnectEvidence;
  /** Set when this result is a lone re-run: what the concurrent batch run had observed first, and why it was re-run. */
  readonly batch?: {
    readonly outcome: ProbeOutcome;
    readonly reason?: string;
    readonly latencyMs?: number;
    readonly lateMs?: number;
    readonly connect?: ConnectEvidence;
    readonly controls?: readonly ControlRun[];
  };
}

/**
 * A timeout measured in a batch counts without a lone re-run only when it ended at most this long after the tool's
 * own wait (and every control answered): later means the source was not keeping time, so the engine re-runs it alone.
 */
export const MAX_LATE_MS = 250;

/** A SYN the kernel saw unanswered for at least this share of the probe's timeout (less 20 ms of timer ticks) proves a timeout. */
export const SYN_UNANSWERED_SHARE = 0.9;

/** Whether a TCP connect's evidence proves its timeout: the SYN went unanswered for (almost) the whole timeout. */
export function synUnansweredFor(connect: ConnectEvidence, timeoutMs: number): boolean {
  return connect.state === 'syn-sent' && (connect.synUnansweredMs ?? 0) >= SYN_UNANSWERED_SHARE * timeoutMs - 20;
}

/**
 * A control vouches for the timeouts measured beside it only when it answered within this share of their timeout:
 * a control that answers, but slowly, shows a source too busy to keep its probes' time.
 */
export const FAST_CONTROL_SHARE = 0.5;

export interface ProbeResult extends ProbeObservation {
  readonly id: string;
  readonly spec: ProbeSpec;
  /** Where it ran from, e.g. `docker:client-1` or `pod east/demo/client-abc`. */
  readonly source: string;
  /** Duration of the last attempt, measured inside the source. */
  readonly latencyMs?: number;
  /** Time this probe took inside the source: every attempt of its batch run, plus its lone re-run if it had one. */
  readonly durationMs?: number;
  /** How far a negative outcome can be trusted (controls, lone re-run, timekeeping). */
  readonly evidence?: ProbeEvidence;
  readonly attempts: number;
  /** The argv run inside the source. */
  readonly command: readonly string[];
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** A shell command that reproduces this probe by hand. */
  readonly reproduce: string;
}
