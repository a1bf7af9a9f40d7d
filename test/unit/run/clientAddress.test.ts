import { expect } from 'chai';
import type { ProbeResult } from '../../../harness/model/probe.js';
import { judgeClientAddress, parseClientAddress } from '../../../harness/run/clientAddress.js';

const answer = (body: string): ProbeResult => ({
  id: 'x',
  spec: { kind: 'http', scheme: 'http', host: '172.18.0.3', port: 30080, path: '/clientip', timeoutMs: 1000 },
  source: 'pod main/tp-demo/host-far-1',
  outcome: 'connected',
  httpStatus: 200,
  body,
  attempts: 1,
  command: [],
  stdout: '',
  stderr: '',
  reproduce: '',
});

describe('client address: what the server saw of the client', () => {
  it("reads agnhost's /clientip answer (Go's RemoteAddr) for IPv4, IPv6 and IPv4-mapped addresses, and nothing else", () => {
    expect(parseClientAddress('10.244.1.5:40312\n')).to.equal('10.244.1.5');
    expect(parseClientAddress('[FD00:10:244::5]:40312')).to.equal('fd00:10:244::5');
    expect(parseClientAddress('[::ffff:172.18.0.4]:5000')).to.equal('172.18.0.4');
    expect(parseClientAddress('172.18.0.4')).to.equal('172.18.0.4');
    expect(parseClientAddress('fd00::1')).to.equal('fd00::1');
    for (const bad of ['echo-7d9f', 'NOW: 2026-12-07', '10.244.1:80', '300.1.1.1:80', '', '[::1]', 'a.b.c.d:1']) expect(parseClientAddress(bad), bad).to.equal(undefined);
  });

  it("kept passes only on the source's own address; replaced only on another one", () => {
    expect(judgeClientAddress('kept', answer('172.18.0.4:41000'), '172.18.0.4')).to.deep.equal({ status: 'pass', observed: "the server saw the source's own address 172.18.0.4" });
    expect(judgeClientAddress('kept', answer('10.244.0.1:41000'), '172.18.0.4')).to.deep.equal({
      status: 'fail',
      expected: "the server sees the source's own address",
      observed: "the server saw 10.244.0.1, not the source's 172.18.0.4",
    });
    expect(judgeClientAddress('replaced', answer('10.244.0.1:41000'), '172.18.0.4')).to.deep.equal({ status: 'pass', observed: "the server saw 10.244.0.1, not the source's 172.18.0.4" });
    expect(judgeClientAddress('replaced', answer('172.18.0.4:41000'), '172.18.0.4')).to.deep.include({ status: 'fail', expected: "the server sees another address than the source's (replaced, e.g. SNAT)" });
    expect(judgeClientAddress('kept', answer('[fd00::4]:1'), 'FD00::4').status, 'addresses compare case-blind').to.equal('pass');
  });

  it('an answer without an address, or a source without one, is an error: the test cannot tell', () => {
    expect(judgeClientAddress('kept', answer('echo-7d9f'), '172.18.0.4')).to.deep.equal({
      status: 'error',
      observed: 'the answer (body "echo-7d9f") names no client address: the server must answer with the address it saw, e.g. agnhost path /clientip',
    });
    expect(judgeClientAddress('replaced', answer('10.244.0.1:1'), undefined)).to.deep.equal({
      status: 'error',
      observed: 'the server saw 10.244.0.1, but the source pod main/tp-demo/host-far-1 has no known address to compare with',
    });
  });
});
