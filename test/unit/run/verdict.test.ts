import { expect } from 'chai';
import { MAX_LATE_MS, type ControlRun, type ProbeResult } from '../../../harness/model/probe.js';
import { judge, unconfirmedNegative } from '../../../harness/run/verdict.js';

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
  // Measured alone unless a test says otherwise: the negative is confirmed.
  evidence: { controls: [], alone: true },
  ...over,
});

const answered: ControlRun = { target: 'tcp 10.96.0.10:53', outcome: 'connected', latencyMs: 2 };
const starved: ControlRun = { target: 'tcp 10.96.0.10:53', outcome: 'timeout', latencyMs: 1003, reason: 'no answer before the deadline' };
const blocked = { kind: 'connectivity', outcome: 'blocked' } as const;
const reachable = { kind: 'connectivity', outcome: 'reachable' } as const;

describe('verdict', () => {
  it('blocked passes only on timeout or refused; an error is never blocked', () => {
    const blocked = { kind: 'connectivity', outcome: 'blocked' } as const;
    expect(judge(blocked, result({ outcome: 'timeout' })).status).to.equal('pass');
    expect(judge(blocked, result({ outcome: 'refused' })).status).to.equal('pass');
    expect(judge(blocked, result({ outcome: 'connected' })).status).to.equal('fail');
    expect(judge(blocked, result({ outcome: 'error', reason: 'tool missing in the source: curl' }))).to.deep.equal({
      status: 'error',
      observed: 'error (tool missing in the source: curl)',
    });
    expect(judge(blocked, result({ outcome: 'dns-error', dnsError: 'unresolvable' })).status, 'a name that does not resolve measured nothing').to.equal('fail');
  });

  it('reachable with HTTP status and body', () => {
    const want = { kind: 'connectivity', outcome: 'reachable', httpStatus: 200, bodyContains: 'echo' } as const;
    expect(judge(want, result({ httpStatus: 200, body: 'echo-1' })).status).to.equal('pass');
    expect(judge(want, result({ httpStatus: 503, body: 'echo-1' }))).to.deep.equal({
      status: 'fail',
      expected: 'reachable with HTTP 200, body containing "echo"',
      observed: 'connected HTTP 503',
    });
    expect(judge({ kind: 'connectivity', outcome: 'reachable' }, result({ outcome: 'timeout' })).status).to.equal('fail');
  });

  it('refused is stricter than blocked', () => {
    expect(judge({ kind: 'connectivity', outcome: 'refused' }, result({ outcome: 'timeout' })).status).to.equal('fail');
  });

  it('DNS', () => {
    expect(judge({ kind: 'dns', outcome: 'resolves' }, result({ outcome: 'resolved', addresses: ['10.1.0.1'] })).status).to.equal('pass');
    expect(judge({ kind: 'dns', outcome: 'resolves', addresses: ['10.1.0.2'] }, result({ outcome: 'resolved', addresses: ['10.1.0.1'] })).status).to.equal('fail');
    expect(judge({ kind: 'dns', outcome: 'nxdomain' }, result({ outcome: 'dns-error', dnsError: 'nxdomain' })).status).to.equal('pass');
    expect(judge({ kind: 'dns', outcome: 'nxdomain' }, result({ outcome: 'dns-error', dnsError: 'servfail' })).status).to.equal('fail');
    expect(judge({ kind: 'dns', outcome: 'nxdomain' }, result({ outcome: 'timeout' })).status).to.equal('fail');
  });

  describe('trusting a negative outcome (timeout, refused)', () => {
    it('a starved batch: when a control did not answer, its negatives are errors, never blocked nor a mismatch', () => {
      const timedOut = result({ outcome: 'timeout', evidence: { controls: [starved, answered], alone: false, lateMs: 5 } });
      const verdict = judge(blocked, timedOut);
      expect(verdict.status).to.equal('error');
      expect(verdict.observed).to.equal(
        'timeout: source starved or broken: its control tcp 10.96.0.10:53 timeout (no answer before the deadline), so this timeout says nothing about the target',
      );
      expect(judge(reachable, timedOut).status, 'not a failure of the target either').to.equal('error');
      expect(judge(blocked, result({ outcome: 'refused', evidence: { controls: [answered, starved], alone: true } })).status, 'even alone').to.equal('error');
      // A connect that happened needs no control.
      expect(judge(reachable, result({ outcome: 'connected', evidence: { controls: [starved, starved], alone: false } })).status).to.equal('pass');
    });

    it('a negative confirmed by a lone re-run counts', () => {
      const confirmed = result({ outcome: 'timeout', evidence: { controls: [answered, answered], alone: true, lateMs: 900, batch: { outcome: 'timeout', latencyMs: 1900 } } });
      expect(unconfirmedNegative(confirmed)).to.equal(undefined);
      expect(judge(blocked, confirmed)).to.deep.equal({ status: 'pass', observed: 'timeout (confirmed alone, as in the batch)' });
      const refused = result({ outcome: 'refused', reason: 'connection refused', evidence: { controls: [], alone: true, batch: { outcome: 'refused' } } });
      expect(judge(blocked, refused).status, 'without a control, alone is the confirmation').to.equal('pass');
    });

    it('a negative that connects when re-run alone is connected: "blocked" fails, "reachable" passes', () => {
      const turned = result({ outcome: 'connected', evidence: { controls: [answered, answered], alone: true, batch: { outcome: 'timeout', latencyMs: 1003 } } });
      expect(judge(blocked, turned)).to.deep.equal({
        status: 'fail',
        expected: 'blocked (timeout or refused)',
        observed: 'connected (timeout in the batch, connected when re-run alone)',
      });
      expect(judge(reachable, turned).status).to.equal('pass');
    });

    it('a timeout from the batch counts only when its controls answered and it ended on time', () => {
      const vouched = (lateMs: number | undefined, controls = [answered, answered]) =>
        result({ outcome: 'timeout', evidence: { controls, alone: false, ...(lateMs !== undefined ? { lateMs } : {}) } });
      expect(judge(blocked, vouched(12)).status).to.equal('pass');
      expect(judge(blocked, vouched(MAX_LATE_MS)).status).to.equal('pass');
      const late = judge(blocked, vouched(MAX_LATE_MS + 1));
      expect(late.status).to.equal('error');
      expect(late.observed).to.include(`it ended ${MAX_LATE_MS + 1} ms after its wait (the source was not keeping time)`);
      expect(judge(blocked, vouched(undefined)).status, 'no timing, no trust').to.equal('error');
      expect(judge(blocked, vouched(12, [])).status, 'no control, not alone').to.equal('error');
    });

    it('a refusal from the batch needs a lone re-run; a result without evidence proves nothing negative', () => {
      expect(judge(blocked, result({ outcome: 'refused', evidence: { controls: [answered, answered], alone: false } })).observed).to.equal('refused: not confirmed: measured in a batch and not re-run alone');
      const bare = { ...result({ outcome: 'timeout' }), evidence: undefined };
      expect(judge(blocked, bare)).to.deep.equal({ status: 'error', observed: 'timeout: not confirmed: no control and no lone re-run' });
      expect(judge({ kind: 'dns', outcome: 'nxdomain' }, { ...result({ outcome: 'dns-error', dnsError: 'nxdomain' }), evidence: undefined }).status, 'only timeout and refused need it').to.equal('pass');
    });
  });
});

describe('verdict: certificates verified against a CA', () => {
  const rejected = result({ outcome: 'connected', certificate: 'rejected', reason: 'its certificate does not verify against /tmp/kconn-run-ca.pem (curl exit 60): curl: (60) SSL: no alternative certificate subject name matches' });
  const verified = result({ outcome: 'connected', httpStatus: 200 });
  const expectRejected = { kind: 'connectivity', outcome: 'reachable', certificate: 'rejected' } as const;

  it('a rejected certificate fails a test that needs it verified, saying so and why', () => {
    const v = judge(reachable, rejected);
    expect(v.status).to.equal('fail');
    expect(v).to.deep.include({ expected: 'reachable' });
    expect(v.status === 'fail' && v.observed).to.equal(`connected certificate rejected (${rejected.reason})`);
    expect(judge({ ...reachable, certificate: 'verified' }, rejected).status).to.equal('fail');
    expect(judge({ ...reachable, certificate: 'verified' }, verified).status).to.equal('pass');
  });

  it('a test that expects the certificate rejected passes only on a rejection, never on a verified answer or no connection', () => {
    expect(judge(expectRejected, rejected)).to.deep.equal({ status: 'pass', observed: `connected certificate rejected (${rejected.reason})` });
    expect(judge(expectRejected, verified)).to.deep.equal({
      status: 'fail',
      expected: 'reachable with the certificate rejected (it does not verify against the CA)',
      observed: 'connected HTTP 200',
    });
    expect(judge(expectRejected, result({ outcome: 'refused' })).status).to.equal('fail');
    expect(judge(expectRejected, result({ outcome: 'error', reason: 'TLS handshake failed (curl exit 35)' })).status).to.equal('error');
  });

  it('expired: passes only when the client said the certificate expired; an expired one is also a rejected one', () => {
    const expired = result({ outcome: 'connected', certificate: 'expired', reason: 'its certificate does not verify against /ca (curl exit 60): curl: (60) SSL certificate problem: certificate has expired' });
    const expectExpired = { kind: 'connectivity', outcome: 'reachable', certificate: 'expired' } as const;
    expect(judge(expectExpired, expired)).to.deep.equal({ status: 'pass', observed: `connected certificate expired (${expired.reason})` });
    expect(judge(expectExpired, rejected)).to.deep.equal({
      status: 'fail',
      expected: 'reachable with the certificate rejected as expired',
      observed: `connected certificate rejected (${rejected.reason})`,
    });
    expect(judge(expectExpired, verified).status).to.equal('fail');
    expect(judge(expectRejected, expired).status).to.equal('pass');
    expect(judge(reachable, expired).status).to.equal('fail');
    expect(judge({ ...reachable, certificate: 'verified' }, expired).status).to.equal('fail');
  });
});
