import { expect } from 'chai';
import type { ProbeResult } from '../../../harness/model/probe.js';
import { judge } from '../../../harness/run/verdict.js';

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
  ...over,
});

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
});
