import type { ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backstopSeconds, connectFailure, seconds, UNREACHABLE, type ProbeKindModule } from './probeKind.js';
import { checkTarget, checkTimeout } from './validation.js';

type Icmp = Extract<ProbeSpec, { kind: 'icmp' }>;

/** One ICMP echo with iputils ping (needs CAP_NET_RAW or net.ipv4.ping_group_range in the source). */
export const icmpProbe: ProbeKindModule<Icmp> = {
  kind: 'icmp',
  tools: ['ping', 'timeout'],
  validate: (s) => checkTarget(s.host) ?? checkTimeout(s.timeoutMs),
  argv: (s) => ['ping', '-n', '-c', '1', '-W', seconds(s.timeoutMs), s.host],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  waitMs: (s) => s.timeoutMs,
  classify: (_s, run) => {
    if (run.exitCode === 0) return { outcome: 'connected' };
    if (run.exitCode === 1) {
      if (UNREACHABLE.test(run.stdout)) return { outcome: 'refused', reason: 'unreachable (ICMP destination unreachable)' };
      return { outcome: 'timeout', reason: 'no echo reply' };
    }
    const failure = connectFailure(run.stderr);
    if (failure?.outcome === 'dns-error') return failure;
    return { outcome: 'error', reason: `ping could not run (exit ${run.exitCode}): ${run.stderr.trim()}` };
  },
  until: (_s, want) => {
    if (want === 'connected') return { codes: [0] };
    if (want === 'timeout') return { codes: [1, ...DEADLINE_EXIT_CODES] };
    if (want === 'refused') return { codes: [1], stdout: ['Unreachable'] };
    return undefined;
  },
};
