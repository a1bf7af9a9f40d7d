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
  /** Why, in words: "connection refused", "no route to host", "tool missing: curl"... */
  readonly reason?: string;
}

export interface ProbeResult extends ProbeObservation {
  readonly id: string;
  readonly spec: ProbeSpec;
  /** Where it ran from, e.g. `docker:client-1` or `pod east/demo/client-abc`. */
  readonly source: string;
  /** Duration of the last attempt, measured inside the source. */
  readonly latencyMs?: number;
  readonly attempts: number;
  /** The argv run inside the source. */
  readonly command: readonly string[];
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  /** A shell command that reproduces this probe by hand. */
  readonly reproduce: string;
}
