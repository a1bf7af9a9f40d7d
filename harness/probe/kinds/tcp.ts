import type { ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backstopSeconds, connectFailure, seconds, timedScript, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout } from './validation.js';

type Tcp = Extract<ProbeSpec, { kind: 'tcp' }>;

/**
 * TCP connect through bash's /dev/tcp: the same in every image that has bash, unlike the nc variants. Host, port and
 * timeout reach bash as positional arguments ($0 $1 $2), never inside the script text. /dev/tcp has no connect
 * timeout of its own: timedScript starts the probe timeout right before the connect (name resolution included) and
 * enforces it, so no `timeout` process is needed around it.
 */
const SCRIPT = timedScript('printf .; exec 3<>"/dev/tcp/$0/$1"', '$2');

export const tcpProbe: ProbeKindModule<Tcp> = {
  kind: 'tcp',
  tools: ['bash', 'timeout'],
  validate: (s) => checkTarget(s.host, s.port) ?? checkTimeout(s.timeoutMs),
  argv: (s) => ['bash', '-c', SCRIPT, s.host, String(s.port), seconds(s.timeoutMs)],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  timesItself: true,
  waitMs: (s) => s.timeoutMs,
  classify: (_s, run) => {
    if (run.exitCode === 0) return { outcome: 'connected' };
    return connectFailure(run.stderr) ?? { outcome: 'error', reason: `unexpected result of the TCP connect (exit ${run.exitCode})` };
  },
  until: (_s, want) => {
    if (want === 'connected') return { codes: [0] };
    if (want === 'timeout') return { codes: [...DEADLINE_EXIT_CODES] };
    if (want === 'refused') return { codes: [1], stderr: ['refused|unreachable|No route|reset'] };
    if (want === 'dns-error') return { codes: [1], stderr: ['not known|resolution|No address'] };
    return undefined;
  },
};
