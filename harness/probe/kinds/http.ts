import type { ProbeObservation, ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backendIdentity, backstopSeconds, connectFailure, seconds, type ProbeKindModule } from './probeKind.js';
import { checkName, checkTarget, checkTimeout, checkUrlPath } from './validation.js';

type Http = Extract<ProbeSpec, { kind: 'http' }>;

/** Written by curl after the body, on a line of its own, so the body can be anything. */
const MARKER = 'KCONN-HTTP';
const TRAILER = new RegExp(`\\n?${MARKER} (\\d{3}) ([\\d.]+)\\n?$`);

/**
 * curl's words for a certificate rejected because its validity ended: "SSL certificate problem: certificate has
 * expired", OpenSSL's text for X509_V_ERR_CERT_HAS_EXPIRED (crypto/x509/x509_txt.c).
 */
const EXPIRED = /SSL certificate problem: certificate has expired/;
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
  validate: (s) =>
    checkTarget(s.host, s.port) ?? checkTimeout(s.timeoutMs) ?? (s.path !== undefined ? checkUrlPath(s.path) : undefined) ?? checkCaFile(s) ?? (s.hostname !== undefined ? checkName(s.hostname) : undefined),
  argv: (s) => [
    'curl', '-sS', '--max-time', seconds(s.timeoutMs), '--connect-timeout', seconds(s.timeoutMs),
    // With a CA (the run's), the server must prove who it is; without one (test servers with self-signed
    // certificates), the probe is about reachability only.
    ...(s.scheme === 'https' ? (s.caFile !== undefined ? ['--cacert', s.caFile] : ['-k']) : []),
    // curl expands \\n itself, so the argv (and the reproduce command) stays on one line.
    '-w', `\\n${MARKER} %{http_code} %{time_total}\\n`,
    // A virtual host: the URL (so SNI and Host) names it, and curl connects to the target's address instead.
    ...(s.hostname !== undefined ? ['--connect-to', `${s.hostname}:${s.port}:${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`] : []),
    `${s.scheme}://${s.hostname ?? s.host}:${s.port}${s.path ?? '/'}`,
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
      case CURL.tlsCert:
        // The server's certificate did not verify against the CA asked for (another issuer, another name, expired):
        // the TCP connect succeeded and a TLS server answered. The runner decides what that means.
        if (s.caFile !== undefined) {
          return { outcome: 'connected', certificate: EXPIRED.test(run.stderr) ? 'expired' : 'rejected', reason: `its certificate does not verify against ${s.caFile} (curl exit 60): ${run.stderr.trim()}` };
        }
        return { outcome: 'connected', reason: `TLS failed after the TCP connect: ${run.stderr.trim()}` };
      case CURL.tlsConnect:
        // The handshake itself failed (no TLS server there, no common cipher): with a CA asked for, nothing was
        // verified either way, so this is neither a connection to the server asked for nor a block: an error.
        if (s.caFile !== undefined) return { outcome: 'error', reason: `TLS handshake failed (curl exit 35), so nothing was verified against ${s.caFile}: ${run.stderr.trim()}` };
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
