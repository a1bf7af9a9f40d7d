import type { DnsError, ProbeSpec } from '../../model/probe.js';
import { DEADLINE_EXIT_CODES, backstopSeconds, wholeSeconds, type ProbeKindModule } from './probeKind.js';
import { checkName, checkTarget, checkTimeout } from './validation.js';

type Dns = Extract<ProbeSpec, { kind: 'dns' }>;

const STATUS = /status: ([A-Z]+)/;
/** dig exit 9: no reply from any server (https://bind9.readthedocs.io, dig "Return codes"). */
const DIG_NO_REPLY = 9;

/**
 * DNS lookup with dig: the header's status tells NOERROR / NXDOMAIN / SERVFAIL apart (dig exits 0 for all three).
 * A name goes through the source's search list (+search, which honours resolv.conf's ndots: 5 in a pod), as the pod's
 * own resolver would: `echo.demo` from another namespace resolves there, and so must it here. A name ending in a dot
 * is absolute and is asked as written.
 */
export const dnsProbe: ProbeKindModule<Dns> = {
  kind: 'dns',
  tools: ['dig', 'timeout'],
  validate: (s) => checkName(s.name) ?? checkTimeout(s.timeoutMs) ?? (s.server !== undefined ? checkTarget(s.server) : undefined),
  argv: (s) => [
    'dig', `+time=${wholeSeconds(s.timeoutMs)}`, '+tries=1', '+noall', '+comments', '+answer',
    ...(s.name.endsWith('.') ? [] : ['+search']),
    ...(s.server ? [`@${s.server}`] : []),
    s.name, s.recordType,
  ],
  deadlineSeconds: (s) => backstopSeconds(s.timeoutMs),
  // dig's +time takes whole seconds.
  waitMs: (s) => wholeSeconds(s.timeoutMs) * 1000,
  classify: (s, run) => {
    if (run.exitCode === DIG_NO_REPLY) return { outcome: 'timeout', reason: 'no DNS server answered' };
    if (run.exitCode !== 0) return { outcome: 'error', reason: `dig failed (exit ${run.exitCode}): ${(run.stderr || run.stdout).trim()}` };
    const status = STATUS.exec(run.stdout)?.[1];
    if (!status) {
      if (/connection timed out|no servers could be reached/.test(run.stdout)) return { outcome: 'timeout', reason: 'no DNS server answered' };
      return { outcome: 'error', reason: 'dig output has no status (unparseable)' };
    }
    const errors: Record<string, DnsError> = { NXDOMAIN: 'nxdomain', SERVFAIL: 'servfail', REFUSED: 'refused' };
    if (status !== 'NOERROR') return { outcome: 'dns-error', dnsError: errors[status] ?? 'servfail', reason: `DNS status ${status}` };
    const addresses = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith(';') && l.trim() !== '')
      .map((l) => l.split(/\s+/))
      .filter((f) => f[3] === s.recordType)
      .map((f) => f.slice(4).join(' '));
    if (addresses.length === 0) return { outcome: 'dns-error', dnsError: 'no-answer', reason: `no ${s.recordType} record (NOERROR, empty answer)` };
    return { outcome: 'resolved', addresses };
  },
  until: (s, want) => {
    if (want === 'resolved') return { codes: [0], stdout: ['status: NOERROR', `IN[[:space:]]+${s.recordType}[[:space:]]`] };
    if (want === 'dns-error') return { codes: [0], stdout: ['status: (NXDOMAIN|SERVFAIL|REFUSED)'] };
    if (want === 'timeout') return { codes: [DIG_NO_REPLY, ...DEADLINE_EXIT_CODES] };
    return undefined;
  },
};
