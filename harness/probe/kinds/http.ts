import type { ProbeObservation, ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backendIdentity, backstopSeconds, connectFailure, seconds, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout, checkUrlPath } from './validation.js';

type Http = Extract<ProbeSpec, { kind: 'http' }>;

/** Written by curl after the body, on a line of its own, so the body can be anything. */
const MARKER = 'KCONN-HTTP';
const TRAILER = new RegExp(`\\n?${MARKER} (\\d{3}) ([\\d.]+)\\n?$`);

/** curl exit codes (https://curl.se/libcurl/c/libcurl-errors.html). */
const CURL = { resolve: 6, connect: 7, timeout: 28, emptyReply: 52, recv: 56, tlsConnect: 35, tlsCert: 60, caFile: 77 } as const;

/** A CA file: an absolute path of plain characters, no `..` (it goes on a command line, even if quoted). */
const CA_FILE = /^(\/[A-Za-z0-9._-]+)+$/;

function checkCaFile(s: Http): string | undefined {
  if (s.caFile === undefined) return undefined;
  if (s.scheme !== 'https') return 'caFile applies to https only';
  const ok = CA_FILE.test(s.caFile) && s.caFile.length <= 1024 && !s.caFile.split('/').includes('..');
  return ok ? undefined : `invalid caFile ${JSON.stringify(s.caFile.slice(0, 80))}: must be an absolute path of letters, digits, '.', '_', '-'`;
}

export const httpProbe: ProbeKindModule<Http> = {
  kind: 'http',
  tools: ['curl', 'timeout'],
  validate: (s) => checkTarget(s.host, s.port) ?? checkTimeout(s.timeoutMs) ?? (s.path !== undefined ? checkUrlPath(s.path) : undefined) ?? checkCaFile(s),
  argv: (s) => [
    'curl', '-sS', '--max-time', seconds(s.timeoutMs), '--connect-timeout', seconds(s.timeoutMs),
    // With a CA (the run's), the server must prove who it is; without one (test servers with self-signed
    // certificates), the probe is about reachability only.
    ...(s.scheme === 'https' ? (s.caFile !== undefined ? ['--cacert', s.caFile] : ['-k']) : []),
    // curl expands \\n itself, so the argv (and the reproduce command) stays on one line.
    '-w', `\\n${MARKER} %{http_code} %{time_total}\\n`,
    `${s.scheme}://${s.host}:${s.port}${s.path ?? '/'}`,
  ],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  // curl's own timers start when curl does, so process start never shortens them.
  waitMs: (s) => s.timeoutMs,
  classify: (s, run): ProbeObservation => {
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
        // Verification was asked for and did not happen: whoever answered did not prove to be the server asked for,
        // so this is neither a connection to it nor a block (the TCP connect succeeded): an error, with the reason.
        if (s.caFile !== undefined) return { outcome: 'error', reason: `TLS verification against ${s.caFile} failed (curl exit ${run.exitCode}): ${run.stderr.trim()}` };
        return { outcome: 'connected', reason: `TLS failed after the TCP connect: ${run.stderr.trim()}` };
      case CURL.caFile:
        return { outcome: 'error', reason: `cannot use the CA file ${s.caFile ?? '(none)'} in the source: ${run.stderr.trim()}` };
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
    if (want === 'connected') return { codes: s.caFile !== undefined ? [0, CURL.emptyReply] : [0, CURL.emptyReply, CURL.tlsConnect, CURL.tlsCert] };
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
