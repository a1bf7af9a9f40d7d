import { expect } from 'chai';
import { synUnansweredFor, type ConnectEvidence, type ControlRun, type ProbeResult } from '../../../harness/model/probe.js';
import { judge, unconfirmedNegative } from '../../../harness/run/verdict.js';

// A starved source: the verdict's rules for the kernel's word on a connect and for slow controls (issue: a reachable
// target must never come out blocked when the run can tell that its source was starved; then it is an error).
const blocked = { kind: 'connectivity', outcome: 'blocked' } as const;
const fast = (ms = 5): ControlRun => ({ target: 'tcp 10.96.0.10:53', outcome: 'connected', latencyMs: ms });
const timeout = (evidence: Partial<NonNullable<ProbeResult['evidence']>>, timeoutMs = 1000): ProbeResult => ({
  id: 'x',
  spec: { kind: 'tcp', host: 'h', port: 1, timeoutMs },
  source: 'pod main/demo/client',
  outcome: 'timeout',
  reason: 'no answer before the deadline',
  attempts: 1,
  command: [],
  stdout: '',
  stderr: '',
  reproduce: '',
  evidence: { controls: [fast(), fast()], alone: false, lateMs: 5, ...evidence },
});
const syn = (ms: number): ConnectEvidence => ({ state: 'syn-sent', synUnansweredMs: ms });

describe("verdict: the kernel's word on a connect, and slow controls", () => {
  it('a SYN unanswered for 90% of the timeout (less 20 ms) proves it, even measured in a batch and late by the timer', () => {
    expect(synUnansweredFor(syn(880), 1000)).to.equal(true);
    expect(synUnansweredFor(syn(879), 1000)).to.equal(false);
    expect(synUnansweredFor(syn(2680), 3000)).to.equal(true);
    expect(synUnansweredFor(syn(2679), 3000)).to.equal(false);
    expect(synUnansweredFor({ state: 'established' }, 1000)).to.equal(false);
    expect(synUnansweredFor({ state: 'syn-sent' }, 1000), 'no age: proves nothing').to.equal(false);
    expect(judge(blocked, timeout({ connect: syn(1000), lateMs: 900 })).status).to.equal('pass');
    // Slow controls do not matter when the kernel says: its SYN went out and nothing came back.
    expect(judge(blocked, timeout({ connect: syn(1000), controls: [fast(900), fast(990)] })).status).to.equal('pass');
  });

  it('a timeout the kernel saw answered, not started, or whose SYN left late is a starved source: an error, alone or not', () => {
    const cases: [ConnectEvidence, RegExp][] = [
      [{ state: 'established' }, /source starved: at the deadline the kernel had the connection established \(the target answered/],
      [{ state: 'no-socket' }, /source starved: at the deadline the connect had not started \(process start or name resolution/],
      [syn(500), /source starved: at the deadline its SYN had gone out only 500 ms before/],
      [{ state: 'other', tcpState: '07' }, /source starved: at the deadline the connect was in TCP state 07/],
    ];
    for (const [connect, message] of cases) {
      for (const alone of [false, true]) {
        const v = judge(blocked, timeout({ connect, alone }));
        expect(v.status, `${connect.state} alone=${alone}`).to.equal('error');
        expect(v.observed).to.match(message);
      }
    }
  });

  it('a failed control still comes first: the source is broken, whatever the kernel says of the connect', () => {
    const v = unconfirmedNegative(timeout({ connect: syn(1000), controls: [fast(), { target: 'tcp 10.96.0.10:53', outcome: 'timeout' }] }));
    expect(v).to.match(/^source starved or broken: its control tcp 10\.96\.0\.10:53 timeout/);
  });

  it('without the kernel\'s word, a control slower than half the timeout vouches for nothing: an error, even alone', () => {
    expect(unconfirmedNegative(timeout({ controls: [fast(500), fast(500)] })), 'exactly half: fast enough').to.equal(undefined);
    const v = unconfirmedNegative(timeout({ controls: [fast(5), fast(801)] }));
    expect(v).to.equal('source too slow to keep time: its control tcp 10.96.0.10:53 took 801 ms, more than 500 ms (half the 1000 ms timeout), so this timeout says nothing about the target');
    expect(unconfirmedNegative(timeout({ controls: [fast(801)], alone: true }))).to.match(/^source too slow to keep time/);
    // The limit is the probe's own timeout's half.
    expect(unconfirmedNegative(timeout({ controls: [fast(801), fast(5)] }, 2000))).to.equal(undefined);
    // The kernel's word is about timeouts: a refusal measured alone stands whatever it carries.
    expect(unconfirmedNegative({ ...timeout({ connect: { state: 'established' }, alone: true }), outcome: 'refused' })).to.equal(undefined);
    expect(unconfirmedNegative(timeout({ connect: { state: 'other' } }))).to.match(/in TCP state \?,/);
    // A refusal is the kernel's own answer: a slow control does not undo it (alone, it stands).
    expect(unconfirmedNegative({ ...timeout({ controls: [fast(900)], alone: true }), outcome: 'refused' })).to.equal(undefined);
  });
});
