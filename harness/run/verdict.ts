import { FAST_CONTROL_SHARE, MAX_LATE_MS, synUnansweredFor, type ConnectEvidence, type ControlRun, type ProbeResult } from '../model/probe.js';
import type { ClientAddress, Expectation } from '../model/suite.js';

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
  if (r.certificate) parts.push(`certificate ${r.certificate}`);
  if (r.reason && (r.outcome !== 'connected' || r.certificate)) parts.push(`(${r.reason})`);
  const batch = r.evidence?.batch;
  if (batch) parts.push(batch.outcome === r.outcome ? `(confirmed alone, as in the batch)` : `(${batch.outcome} in the batch, ${r.outcome} when re-run alone)`);
  return parts.join(' ');
}

function describeControl(c: ControlRun): string {
  return `${c.target} ${c.outcome}${c.reason ? ` (${c.reason})` : ''}`;
}

/** What the kernel saw of a connect that did not prove its timeout, in words. */
function describeConnect(c: ConnectEvidence): string {
  if (c.state === 'established') return 'the kernel had the connection established (the target answered; the probe got no CPU to see it)';
  if (c.state === 'no-socket') return 'the connect had not started (process start or name resolution took the whole timeout)';
  if (c.state === 'syn-sent') return `its SYN had gone out only ${c.synUnansweredMs ?? 0} ms before (the probe got no CPU to send it sooner)`;
  return `the connect was in TCP state ${c.tcpState ?? '?'}`;
}

/**
 * Whether a negative outcome (timeout, refused) may count, and why not. A busy or broken source can produce both
 * without the target being at fault, so a negative counts only when
 * - every positive control run around it answered (a control that did not means the source was starved or broken:
 *   the negative says nothing about the target), and
 * - for a timeout whose connect the kernel reported on (TCP): its SYN went unanswered for (almost) the whole timeout
 *   (synUnansweredFor); a connection the kernel had established, or a connect not yet started, was a starved
 *   source's timeout, whether measured in a batch or alone;
 * - for a timeout without the kernel's word: no control beside it was slow (answered in more than FAST_CONTROL_SHARE
 *   of the timeout: a source too busy to keep time), and it was measured alone (nothing else in flight from the
 *   source) or the batch vouches for it (the controls of its batch answered and it ended on time, at most MAX_LATE_MS
 *   after its tool's own wait);
 * - for a refusal: it was measured alone (the kernel made it, but a batch run proves nothing on its own).
 * Returns undefined for a confirmed negative and for any other outcome.
 */
export function unconfirmedNegative(r: ProbeResult): string | undefined {
  if (r.outcome !== 'timeout' && r.outcome !== 'refused') return undefined;
  const e = r.evidence;
  const failed = e?.controls.find((c) => c.outcome !== 'connected');
  if (failed) return `source starved or broken: its control ${describeControl(failed)}, so this ${r.outcome} says nothing about the target`;
  if (r.outcome === 'timeout' && e?.connect) {
    if (synUnansweredFor(e.connect, r.spec.timeoutMs)) return undefined;
    return `source starved: at the deadline ${describeConnect(e.connect)}, so this timeout says nothing about the target`;
  }
  const slowLimit = FAST_CONTROL_SHARE * r.spec.timeoutMs;
  const slow = r.outcome === 'timeout' ? e?.controls.find((c) => (c.latencyMs ?? 0) > slowLimit) : undefined;
  if (slow) {
    return `source too slow to keep time: its control ${slow.target} took ${slow.latencyMs} ms, more than ${Math.round(slowLimit)} ms (half the ${r.spec.timeoutMs} ms timeout), so this timeout says nothing about the target`;
  }
  if (e?.alone) return undefined;
  const onTime = e?.lateMs !== undefined && e.lateMs >= -10 && e.lateMs <= MAX_LATE_MS;
  if (r.outcome === 'timeout' && e && e.controls.length > 0 && onTime) return undefined;
  if (!e) return 'not confirmed: no control and no lone re-run';
  if (r.outcome === 'timeout' && e.controls.length > 0 && e.lateMs !== undefined) {
    return `not confirmed: it ended ${e.lateMs} ms after its wait (the source was not keeping time) and was not re-run alone`;
  }
  return `not confirmed: measured in a batch${e.controls.length ? '' : ' without control'} and not re-run alone`;
}

export function describeClientAddress(want: ClientAddress): string {
  return want === 'kept' ? "the server sees the source's own address" : "the server sees another address than the source's (replaced, e.g. SNAT)";
}

export function describeExpectation(e: Expectation): string {
  if (e.kind === 'dns') return e.addresses?.length ? `${e.outcome} to ${e.addresses.join(',')}` : e.outcome;
  if (e.outcome === 'blocked') return 'blocked (timeout or refused)';
  const extra = [
    e.httpStatus !== undefined ? `HTTP ${e.httpStatus}` : '',
    e.bodyContains !== undefined ? `body containing ${JSON.stringify(e.bodyContains)}` : '',
    e.clientAddress ? describeClientAddress(e.clientAddress) : '',
    e.certificate === 'rejected' ? 'the certificate rejected (it does not verify against the CA)' : '',
    e.certificate === 'expired' ? 'the certificate rejected as expired' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return extra ? `${e.outcome} with ${extra}` : e.outcome;
}

/**
 * Compares an expectation with a probe result. A probe that could not run is an error whatever was expected:
 * in particular an error is never counted as blocked; "blocked" passes only on a timeout or a refusal, and only on a
 * confirmed one (unconfirmedNegative): a negative from a starved source is an error, never a pass nor a fail.
 */
export function judge(expectation: Expectation, result: ProbeResult): Verdict {
  const observed = describeObservation(result);
  if (result.outcome === 'error') return { status: 'error', observed };
  const unconfirmed = unconfirmedNegative(result);
  if (unconfirmed) return { status: 'error', observed: `${observed}: ${unconfirmed}` };
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
      // A certificate that did not verify fails a test that needs it verified; only one that expects it rejected
      // passes, and one that expects it expired only when the client said that was why.
      const wantRejected = expectation.certificate === 'rejected' || expectation.certificate === 'expired';
      if (wantRejected !== (result.certificate !== undefined)) return fail();
      if (expectation.certificate === 'expired' && result.certificate !== 'expired') return fail();
      if (expectation.httpStatus !== undefined && result.httpStatus !== expectation.httpStatus) return fail();
      if (expectation.bodyContains !== undefined && !(result.body ?? '').includes(expectation.bodyContains)) return fail();
      return { status: 'pass', observed };
    }
  }
}
