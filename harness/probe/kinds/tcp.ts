import type { ProbeSpec } from '../../model/probe.js';
import { connectDeadlineSeconds, timedScript } from '../timedScript.js';
import { DEADLINE_EXIT_CODES, connectFailure, seconds, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout } from './validation.js';

type Tcp = Extract<ProbeSpec, { kind: 'tcp' }>;

/**
 * TCP connect through bash's /dev/tcp: the same in every image that has bash, unlike the nc variants. Host, port and
 * timeout reach bash as positional arguments ($0 $1 $2, made $1 $2 $3), never inside the script text. /dev/tcp has no
 * connect timeout of its own: timedScript starts the probe timeout right before the connect (name resolution
 * included) and enforces it, so no `timeout` process is needed around it. At the deadline the kernel has the last
 * word (a SYN unanswered for the timeout, or a connection the probe had no CPU to see: timedScript's
 * connectEvidence), so that a starved source's timeout is never taken for a blocked target. In a batch the same steps
 * run as a function (kconn_tcp), in the process that holds the probe's slot.
 */
const BODY = 'printf .; exec 3<>"/dev/tcp/$1/$2"';
const SCRIPT = `set -- "$0" "$@"; ${timedScript(BODY, '$3', { connectEvidence: true, defineEvidence: true })}`;
/** The batch script defines kconn_ev (probeScheduler.ts) before it. */
const FUNCTION = `kconn_tcp() { ${timedScript(BODY, '$3', { connectEvidence: true, leave: 'return' })}; }`;

export const tcpProbe: ProbeKindModule<Tcp> = {
  kind: 'tcp',
  tools: ['bash', 'timeout'],
  validate: (s) => checkTarget(s.host, s.port) ?? checkTimeout(s.timeoutMs),
  argv: (s) => ['bash', '-c', SCRIPT, s.host, String(s.port), seconds(s.timeoutMs)],
  deadlineSeconds: (s) => connectDeadlineSeconds(s.timeoutMs),
  timesItself: true,
  waitMs: (s) => s.timeoutMs,
  classify: (_s, run) => {
    if (run.exitCode === 0) return { outcome: 'connected' };
    return connectFailure(run.stderr) ?? { outcome: 'error', reason: `unexpected result of the TCP connect (exit ${run.exitCode})` };
  },
  inBatch: {
    definition: FUNCTION,
    argv: (s) => ['kconn_tcp', s.host, String(s.port), seconds(s.timeoutMs)],
    direct: (s) => ({ host: s.host, port: s.port, timeoutMs: s.timeoutMs }),
  },
  until: (_s, want) => {
    if (want === 'connected') return { codes: [0] };
    if (want === 'timeout') return { codes: [...DEADLINE_EXIT_CODES] };
    if (want === 'refused') return { codes: [1], stderr: ['refused|unreachable|No route|reset'] };
    if (want === 'dns-error') return { codes: [1], stderr: ['not known|resolution|No address'] };
    return undefined;
  },
};
