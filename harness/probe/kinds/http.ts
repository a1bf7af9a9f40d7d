import type { ProbeObservation, ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backendIdentity, backstopSeconds, connectFailure, seconds, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout, checkUrlPath } from './validation.js';

type Http = Extract<ProbeSpec, { kind: 'http' }>;

/** Written by curl after the body, on a line of its own, so the body can be anything. */
const MARKER = 'KCONN-HTTP';
const TRAILER = new RegExp(`\\n?${MARKER} (\\d{3}) ([\\d.]+)\\n?$`);

/** curl exit codes (https://curl.se/libcurl/c/libcurl-errors.html). */
const CURL = { resolve: 6, connect: 7, timeout: 28, emptyReply: 52, recv: 56, tlsConnect: 35, tlsCert: 60 } as const;

export const httpProbe: ProbeKindModule<Http> = {
  kind: 'http',
  tools: ['curl', 'timeout'],
  validate: (s) => checkTarget(s.host, s.port) ?? checkTimeout(s.timeoutMs) ?? (s.path !== undefined ? checkUrlPath(s.path) : undefined),
  argv: (s) => [
    'curl', '-sS', '--max-time', seconds(s.timeoutMs), '--connect-timeout', seconds(s.timeoutMs),
    // Test servers use self-signed certificates; the probe is about reachability, not PKI.
    ...(s.scheme === 'https' ? ['-k'] : []),
    // curl expands \\n itself, so the argv (and the reproduce command) stays on one line.
    '-w', `\\n${MARKER} %{http_code} %{time_total}\\n`,
    `${s.scheme}://${s.host}:${s.port}${s.path ?? '/'}`,
  ],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  // curl's own timers start when curl does, so process start never shortens them.
  waitMs: (s) => s.timeoutMs,
  classify: (_s, run): ProbeObservation => {
    const trailer = TRAILER.exec(run.stdout);
    const body = trailer ? run.stdout.slice(0, trailer.index) : run.stdout;
    switch (run.exitCode) {
      case 0: {
        if (!trailer) return { outcome: 'error', reason: 'curl output has no status line (unparseable)' };
        const backend = backendIdentity(body);
        return { outcome: 'connected', httpStatus: Number(trailer[1]), body: body.slice(0, 1024), ...(backend ? { backend } : {}) };
      }
      case CURL.emptyReply:
        return { outcome: 'connected', reason: 'the server closed the connection without a reply' };
      case CURL.tlsConnect:
      case CURL.tlsCert:
        return { outcome: 'connected', reason: `TLS failed after the TCP connect: ${run.stderr.trim()}` };
      case CURL.timeout:
        return { outcome: 'timeout' };
      case CURL.resolve:
        return { outcome: 'dns-error', dnsError: 'unresolvable', reason: 'the host name does not resolve' };
      case CURL.connect:
        return connectFailure(run.stderr) ?? { outcome: 'refused', reason: `connect failed: ${run.stderr.trim()}` };
      case CURL.recv:
        return connectFailure(run.stderr) ?? { outcome: 'refused', reason: 'connection reset' };
      default:
        return { outcome: 'error', reason: `curl failed (exit ${run.exitCode}): ${run.stderr.trim()}` };
    }
  },
  until: (s, want) => {
    void s;
    if (want === 'connected') return { codes: [0, CURL.emptyReply, CURL.tlsConnect, CURL.tlsCert] };
    if (want === 'timeout') return { codes: [CURL.timeout, ...DEADLINE_EXIT_CODES] };
    if (want === 'refused') return { codes: [CURL.connect, CURL.recv] };
    if (want === 'dns-error') return { codes: [CURL.resolve] };
    return undefined;
  },
};

/** Until-condition that also requires an HTTP status. */
export function httpStatusCondition(status: number): { codes: number[]; stdout: string[] } {
  return { codes: [0], stdout: [`^${MARKER} ${status} `] };
}
