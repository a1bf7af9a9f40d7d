import type { ProbeSpec } from '../model/probe.js';
import type { SuiteTest } from '../model/suite.js';

/** The probe a test sends to one resolved target address (a ClusterIP, a pod IP or the host as written). */
export function probeSpecFor(test: SuiteTest, address?: string): ProbeSpec {
  if (test.type === 'dns') return { kind: 'dns', name: test.dns.name, recordType: test.dns.recordType, timeoutMs: test.timeoutMs };
  const host = address!;
  const port = test.to.port ?? 0;
  switch (test.protocol) {
    case 'tcp':
      return { kind: 'tcp', host, port, timeoutMs: test.timeoutMs };
    case 'udp':
      return { kind: 'udp', host, port, timeoutMs: test.timeoutMs };
    case 'http':
    case 'https':
      return { kind: 'http', scheme: test.protocol, host, port, ...(test.to.path ? { path: test.to.path } : {}), timeoutMs: test.timeoutMs };
    case 'icmp':
      return { kind: 'icmp', host, timeoutMs: test.timeoutMs };
  }
}
