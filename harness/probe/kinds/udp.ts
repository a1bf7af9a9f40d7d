import type { ProbeSpec } from '../../model/probe.js';
import { timedScript } from '../timedScript.js';
import { DEADLINE_EXIT_CODES, backendIdentity, backstopSeconds, connectFailure, seconds, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout } from './validation.js';

type Udp = Extract<ProbeSpec, { kind: 'udp' }>;

/** Default request: agnhost netexec (and kconn's echo server) answer `hostname` with their hostname. */
export const UDP_DEFAULT_PAYLOAD = 'hostname';

/**
 * UDP request/response through bash's /dev/udp (a connected socket, so an ICMP port-unreachable comes back as
 * "Connection refused"), reading one datagram with dd, which returns as soon as it arrives. No reply within the
 * timeout is a timeout: UDP reachability needs a server that answers. The timeout starts right before the socket is
 * opened (name resolution included) and the request sent (timedScript), in fractions of a second if asked, whatever
 * `timeout` the source has.
 * Positional arguments: $0 host, $1 port, $2 timeout (s), $3 payload.
 */
const SCRIPT = timedScript(
  'printf .; exec 3<>"/dev/udp/$0/$1" || exit 3; printf "%s\\n" "$3" >&3 || exit 4; exec dd bs=65535 count=1 status=none <&3 5>&1 >&4',
  '$2',
);

export const udpProbe: ProbeKindModule<Udp> = {
  kind: 'udp',
  tools: ['bash', 'timeout', 'dd'],
  validate: (s) =>
    checkTarget(s.host, s.port) ??
    checkTimeout(s.timeoutMs) ??
    (s.payload !== undefined && !/^[\x20-\x7e]{1,512}$/.test(s.payload) ? 'UDP payload must be 1-512 printable ASCII characters' : undefined),
  argv: (s) => ['bash', '-c', SCRIPT, s.host, String(s.port), seconds(s.timeoutMs), s.payload ?? UDP_DEFAULT_PAYLOAD],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  timesItself: true,
  waitMs: (s) => s.timeoutMs,
  classify: (_s, run) => {
    const reply = run.stdout.replace(/\n$/, '');
    if (run.exitCode === 0) {
      const backend = backendIdentity(reply);
      return { outcome: 'connected', body: reply.slice(0, 512), ...(backend ? { backend } : {}) };
    }
    if (run.exitCode === 124) return { outcome: 'timeout', reason: 'no UDP reply within the timeout' };
    return connectFailure(run.stderr) ?? { outcome: 'error', reason: `unexpected result of the UDP exchange (exit ${run.exitCode})` };
  },
  until: (_s, want) => {
    if (want === 'connected') return { codes: [0] };
    if (want === 'timeout') return { codes: [...DEADLINE_EXIT_CODES] };
    if (want === 'refused') return { codes: [1, 3, 4], stderr: ['refused|unreachable|No route'] };
    return undefined;
  },
};
