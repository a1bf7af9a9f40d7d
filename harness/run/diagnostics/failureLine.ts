import type { ProbeResult, ProbeSpec } from '../../model/probe.js';
import type { TestOutcome } from '../../model/runReport.js';

/** `host:port`, with an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Where a probe went, in a few words: `tcp 10.96.0.10:53`, `http://10.110.0.9:8080/hostname`, `dns A echo.demo`... */
export function describeDestination(spec: ProbeSpec): string {
  switch (spec.kind) {
    case 'tcp':
    case 'udp':
      return `${spec.kind} ${hostPort(spec.host, spec.port)}`;
    case 'http':
      return `${spec.scheme}://${hostPort(spec.host, spec.port)}${spec.path ?? '/'}`;
    case 'icmp':
      return `icmp ${spec.host}`;
    case 'dns':
      return `dns ${spec.recordType} ${spec.name} via ${spec.server ?? "the source's resolver (resolv.conf)"}`;
  }
}

/** The probe a failure is about: the one whose command the outcome says reproduces it, else the first. */
export function failingProbe(o: TestOutcome): ProbeResult | undefined {
  return o.results.find((r) => o.reproduce !== undefined && r.reproduce === o.reproduce) ?? o.results[0];
}

/**
 * A test that did not pass, in one line: expected vs observed (or why it could not run), source -> destination with
 * addresses and port, and the command that reproduces it by hand. E.g. `expected reachable, observed refused
 * (connection refused): pod main/demo/client-1 (10.10.0.5) -> tcp 10.110.0.9:8080; reproduce: kubectl ...`.
 */
export function failureLine(o: TestOutcome): string {
  const probe = failingProbe(o);
  let observed = o.observed ?? '(not recorded)';
  // The observation ends in "from <source>" when every probe ran from one source: the route says it below.
  const from = probe ? ` from ${probe.source}` : '';
  if (probe && o.results.every((r) => r.source === probe.source) && observed.endsWith(from)) observed = observed.slice(0, -from.length);
  const head = o.status === 'error' ? `could not run: ${o.message ?? observed}` : `expected ${o.expected ?? '(not recorded)'}, observed ${observed}`;
  const parts = [head];
  if (probe) {
    const ip = o.diagnostics?.sourceIp;
    parts[0] += `: ${probe.source}${ip ? ` (${ip})` : ''} -> ${describeDestination(probe.spec)}`;
  }
  const reproduce = o.reproduce ?? (probe?.reproduce || undefined);
  if (reproduce) parts.push(`reproduce: ${reproduce}`);
  return parts.join('; ');
}
