import { expect } from 'chai';
import { MAX_LATE_MS, type ControlRun, type ProbeResult } from '../../../harness/model/probe.js';
import type { Expectation } from '../../../harness/model/suite.js';
import { describeExpectation, describeObservation, judge, unconfirmedNegative } from '../../../harness/run/verdict.js';

// Each case here is a wrong verdict that the mutation run (npm run test:mutation:core) showed no other test would
// catch: an expectation that could never pass, or a pass on the wrong answer. Results are built inside each `it`.
const result = (over: Partial<ProbeResult>): ProbeResult => ({
  id: 'x',
  spec: { kind: 'tcp', host: 'h', port: 1, timeoutMs: 1000 },
  source: 'docker:c',
  outcome: 'connected',
  attempts: 1,
  command: [],
  stdout: '',
  stderr: '',
  reproduce: '',
  evidence: { controls: [], alone: true },
  ...over,
});
const answered = (): ControlRun => ({ target: 'tcp 10.96.0.10:53', outcome: 'connected' });
const status = (e: Expectation, r: ProbeResult) => judge(e, r).status;

describe('verdict: the cases no other test pinned', () => {
  it('expect refused: passes on a refusal, and only on one', () => {
    const refused = { kind: 'connectivity', outcome: 'refused' } as const;
    expect(judge(refused, result({ outcome: 'refused', reason: 'connection refused' }))).to.deep.equal({ status: 'pass', observed: 'refused (connection refused)' });
    expect(judge(refused, result({ outcome: 'connected' }))).to.deep.equal({ status: 'fail', expected: 'refused', observed: 'connected' });
    expect(status(refused, result({ outcome: 'dns-error', dnsError: 'unresolvable' }))).to.equal('fail');
  });

  it('expect resolves: NXDOMAIN, SERVFAIL, no answer and a timeout all fail it', () => {
    const resolves = { kind: 'dns', outcome: 'resolves' } as const;
    for (const dnsError of ['nxdomain', 'servfail', 'no-answer', 'refused'] as const) {
      expect(judge(resolves, result({ outcome: 'dns-error', dnsError }))).to.deep.equal({ status: 'fail', expected: 'resolves', observed: `dns-error ${dnsError}` });
    }
    expect(status(resolves, result({ outcome: 'timeout' }))).to.equal('fail');
    expect(status(resolves, result({ outcome: 'connected' })), 'only a resolution resolves').to.equal('fail');
    expect(status(resolves, result({ outcome: 'resolved' })), 'no address asked for, none needed').to.equal('pass');
  });

  it('expect nxdomain: only an NXDOMAIN passes', () => {
    const nx = { kind: 'dns', outcome: 'nxdomain' } as const;
    expect(status(nx, result({ outcome: 'resolved', addresses: ['10.0.0.1'] }))).to.equal('fail');
    expect(status(nx, result({ outcome: 'dns-error', dnsError: 'nxdomain' }))).to.equal('pass');
    expect(status(nx, result({ outcome: 'refused', dnsError: 'nxdomain' })), 'the status, not a leftover field').to.equal('fail');
    expect(judge(nx, result({ outcome: 'dns-error', dnsError: 'no-answer' }))).to.deep.equal({ status: 'fail', expected: 'nxdomain', observed: 'dns-error no-answer' });
  });

  it('expected addresses: every one must be among the answers (more answers are fine)', () => {
    const want = { kind: 'dns', outcome: 'resolves', addresses: ['10.0.0.1', '10.0.0.2'] } as const;
    expect(judge(want, result({ outcome: 'resolved', addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.1'] }))).to.deep.equal({
      status: 'pass',
      observed: 'resolved 10.0.0.2,10.0.0.3,10.0.0.1',
    });
    expect(judge(want, result({ outcome: 'resolved', addresses: ['10.0.0.1'] }))).to.deep.equal({
      status: 'fail',
      expected: 'resolves to 10.0.0.1,10.0.0.2',
      observed: 'resolved 10.0.0.1',
    });
    expect(status(want, result({ outcome: 'resolved' })), 'no answers at all').to.equal('fail');
    expect(status({ kind: 'dns', outcome: 'resolves', addresses: [] }, result({ outcome: 'resolved' }))).to.equal('pass');
  });

  it('bodyContains: a 200 with another body fails; no body at all fails', () => {
    const want = { kind: 'connectivity', outcome: 'reachable', bodyContains: 'echo' } as const;
    expect(judge(want, result({ httpStatus: 200, body: 'nginx welcome' }))).to.deep.equal({
      status: 'fail',
      expected: 'reachable with body containing "echo"',
      observed: 'connected HTTP 200',
    });
    expect(status(want, result({ httpStatus: 200 }))).to.equal('fail');
    expect(status({ ...want, bodyContains: 'e' }, result({ httpStatus: 200 })), 'no body contains nothing').to.equal('fail');
    expect(status(want, result({ httpStatus: 200, body: 'the echo server' }))).to.equal('pass');
    expect(status({ kind: 'connectivity', outcome: 'reachable', bodyContains: '' }, result({})), 'an empty needle is in any body').to.equal('pass');
  });

  it('httpStatus: only that status passes; without one, any connection does', () => {
    const want = { kind: 'connectivity', outcome: 'reachable', httpStatus: 404 } as const;
    expect(judge(want, result({ httpStatus: 404 }))).to.deep.equal({ status: 'pass', observed: 'connected HTTP 404' });
    expect(judge(want, result({ httpStatus: 200 }))).to.deep.equal({ status: 'fail', expected: 'reachable with HTTP 404', observed: 'connected HTTP 200' });
    expect(status(want, result({}))).to.equal('fail');
    expect(status({ kind: 'connectivity', outcome: 'reachable' }, result({ httpStatus: 500 }))).to.equal('pass');
    expect(status({ kind: 'connectivity', outcome: 'reachable' }, result({ outcome: 'refused' }))).to.equal('fail');
  });

  it('describeObservation: every part, in order; a reason only when not connected', () => {
    expect(
      describeObservation(
        result({ outcome: 'dns-error', httpStatus: 0, dnsError: 'servfail', addresses: ['a', 'b'], backend: 'pod-1', reason: 'why', evidence: { controls: [], alone: true } }),
      ),
    ).to.equal('dns-error HTTP 0 servfail a,b backend pod-1 (why)');
    expect(describeObservation(result({ outcome: 'connected', reason: 'the server closed the connection without a reply', addresses: [] }))).to.equal('connected');
    expect(describeObservation(result({ outcome: 'timeout', evidence: { controls: [], alone: true, batch: { outcome: 'refused' } } }))).to.equal(
      'timeout (refused in the batch, timeout when re-run alone)',
    );
  });

  it('describeExpectation: blocked, reachable with status and body, DNS with and without addresses', () => {
    expect(describeExpectation({ kind: 'connectivity', outcome: 'blocked' })).to.equal('blocked (timeout or refused)');
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable' })).to.equal('reachable');
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', httpStatus: 0 })).to.equal('reachable with HTTP 0');
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', bodyContains: 'a"b' })).to.equal('reachable with body containing "a\\"b"');
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', httpStatus: 200, bodyContains: '' })).to.equal('reachable with HTTP 200, body containing ""');
    expect(describeExpectation({ kind: 'dns', outcome: 'resolves', addresses: [] })).to.equal('resolves');
    expect(describeExpectation({ kind: 'dns', outcome: 'nxdomain' })).to.equal('nxdomain');
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', clientAddress: 'kept' })).to.equal("reachable with the server sees the source's own address");
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', httpStatus: 200, clientAddress: 'replaced' })).to.equal(
      "reachable with HTTP 200, the server sees another address than the source's (replaced, e.g. SNAT)",
    );
    expect(describeExpectation({ kind: 'connectivity', outcome: 'reachable', certificate: 'verified' })).to.equal('reachable');
  });

  describe('unconfirmedNegative', () => {
    const inBatch = (over: Partial<ProbeResult['evidence'] & object>, outcome: 'timeout' | 'refused' = 'timeout') =>
      result({ outcome, evidence: { controls: [answered(), answered()], alone: false, ...over } });

    it('only timeouts and refusals need confirming', () => {
      for (const outcome of ['connected', 'resolved', 'dns-error', 'error'] as const) {
        expect(unconfirmedNegative({ ...result({ outcome }), evidence: undefined }), outcome).to.equal(undefined);
      }
    });

    it('a failed control is named with its reason, or without one', () => {
      const failed = inBatch({ controls: [answered(), { target: 'tcp 10.96.0.10:53', outcome: 'refused' }] }, 'refused');
      expect(unconfirmedNegative(failed)).to.equal('source starved or broken: its control tcp 10.96.0.10:53 refused, so this refused says nothing about the target');
    });

    it('a batch timeout is vouched for from 10 ms early to MAX_LATE_MS late, with controls, and never for a refusal', () => {
      expect(unconfirmedNegative(inBatch({ lateMs: -10 }))).to.equal(undefined);
      expect(unconfirmedNegative(inBatch({ lateMs: 0 }))).to.equal(undefined);
      expect(unconfirmedNegative(inBatch({ lateMs: MAX_LATE_MS }))).to.equal(undefined);
      expect(unconfirmedNegative(inBatch({ lateMs: -11 }))).to.equal(
        'not confirmed: it ended -11 ms after its wait (the source was not keeping time) and was not re-run alone',
      );
      expect(unconfirmedNegative(inBatch({ lateMs: MAX_LATE_MS + 1 }))).to.match(/^not confirmed: it ended 251 ms after its wait/);
      expect(unconfirmedNegative(inBatch({ lateMs: 0 }, 'refused'))).to.equal('not confirmed: measured in a batch and not re-run alone');
      expect(unconfirmedNegative(inBatch({ lateMs: 0, controls: [] }))).to.equal('not confirmed: measured in a batch without control and not re-run alone');
      expect(unconfirmedNegative(inBatch({ lateMs: 9999, controls: [] }))).to.equal('not confirmed: measured in a batch without control and not re-run alone');
      expect(unconfirmedNegative(inBatch({}))).to.equal('not confirmed: measured in a batch and not re-run alone');
      expect(unconfirmedNegative(inBatch({ lateMs: 9999 }, 'refused'))).to.equal('not confirmed: measured in a batch and not re-run alone');
    });

    it('alone confirms a refusal and a timeout however late', () => {
      expect(unconfirmedNegative(result({ outcome: 'refused', evidence: { controls: [answered()], alone: true } }))).to.equal(undefined);
      expect(unconfirmedNegative(result({ outcome: 'timeout', evidence: { controls: [], alone: true, lateMs: 5000 } }))).to.equal(undefined);
    });
  });

  it('an unconfirmed negative is an error whatever was expected, with the reason after what was observed', () => {
    const r = result({ outcome: 'refused', reason: 'connection refused', evidence: { controls: [], alone: false } });
    expect(judge({ kind: 'connectivity', outcome: 'refused' }, r)).to.deep.equal({
      status: 'error',
      observed: 'refused (connection refused): not confirmed: measured in a batch without control and not re-run alone',
    });
  });
});
