import type { ProbeResult } from '../model/probe.js';
import type { Expectation } from '../model/suite.js';

/** The one place where what should happen meets what happened. */
export type Verdict =
  | { readonly status: 'pass'; readonly observed: string }
  | { readonly status: 'fail'; readonly expected: string; readonly observed: string }
  | { readonly status: 'error'; readonly observed: string };

/** Short human description of what a probe observed. */
export function describeObservation(r: ProbeResult): string {
  const parts: string[] = [r.outcome];
  if (r.httpStatus !== undefined) parts.push(`HTTP ${r.httpStatus}`);
  if (r.dnsError) parts.push(r.dnsError);
  if (r.addresses?.length) parts.push(r.addresses.join(','));
  if (r.backend) parts.push(`backend ${r.backend}`);
  if (r.reason && r.outcome !== 'connected') parts.push(`(${r.reason})`);
  return parts.join(' ');
}

export function describeExpectation(e: Expectation): string {
  if (e.kind === 'dns') return e.addresses?.length ? `${e.outcome} to ${e.addresses.join(',')}` : e.outcome;
  if (e.outcome === 'blocked') return 'blocked (timeout or refused)';
  const extra = [e.httpStatus !== undefined ? `HTTP ${e.httpStatus}` : '', e.bodyContains !== undefined ? `body containing ${JSON.stringify(e.bodyContains)}` : '']
    .filter(Boolean)
    .join(', ');
  return extra ? `${e.outcome} with ${extra}` : e.outcome;
}

/**
 * Compares an expectation with a probe result. A probe that could not run is an error whatever was expected:
 * in particular an error is never counted as blocked; "blocked" passes only on a timeout or a refusal.
 */
export function judge(expectation: Expectation, result: ProbeResult): Verdict {
  const observed = describeObservation(result);
  if (result.outcome === 'error') return { status: 'error', observed };
  const fail = (): Verdict => ({ status: 'fail', expected: describeExpectation(expectation), observed });
  if (expectation.kind === 'dns') {
    if (expectation.outcome === 'nxdomain') return result.outcome === 'dns-error' && result.dnsError === 'nxdomain' ? { status: 'pass', observed } : fail();
    if (result.outcome !== 'resolved') return fail();
    const missing = (expectation.addresses ?? []).filter((a) => !(result.addresses ?? []).includes(a));
    return missing.length ? fail() : { status: 'pass', observed };
  }
  switch (expectation.outcome) {
    case 'blocked':
      return result.outcome === 'timeout' || result.outcome === 'refused' ? { status: 'pass', observed } : fail();
    case 'refused':
      return result.outcome === 'refused' ? { status: 'pass', observed } : fail();
    case 'reachable': {
      if (result.outcome !== 'connected') return fail();
      if (expectation.httpStatus !== undefined && result.httpStatus !== expectation.httpStatus) return fail();
      if (expectation.bodyContains !== undefined && !(result.body ?? '').includes(expectation.bodyContains)) return fail();
      return { status: 'pass', observed };
    }
  }
}
