import { expect } from 'chai';
import { checkName, checkTarget, checkTimeout, checkUrlPath } from '../../../harness/probe/kinds/validation.js';

// Only the schema guards loaded suites: a ProbeSpec built in code reaches the command line through these checks alone.
describe('probe spec validation (what keeps hostile strings off the command line)', () => {
  it('checkTarget: a DNS name or an IPv4 address, nothing else', () => {
    for (const host of ['server', 'echo.demo.svc.cluster.local', '10.96.0.10', 'a-b.c']) expect(checkTarget(host), host).to.equal(undefined);
    for (const host of ['', 'a b', 'a;rm -rf', '$(id)', '`id`', '-x', 'x-', '10.0.0.256', '1.2.3', 'a/b', "a'b"]) {
      expect(checkTarget(host), host).to.match(/^invalid host /);
    }
    expect(checkTarget('10.0.0.256')).to.equal('invalid host "10.0.0.256": not an IPv4 address');
    expect(checkTarget('a b')).to.equal('invalid host "a b": must be a DNS name or an IPv4 address');
  });

  it('checkTarget: a port is an integer from 1 to 65535, when given', () => {
    for (const port of [1, 80, 65535]) expect(checkTarget('h', port), String(port)).to.equal(undefined);
    for (const port of [0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(checkTarget('h', port), String(port)).to.equal(`invalid port ${String(port)}: must be 1-65535`);
    }
    expect(checkTarget('h')).to.equal(undefined);
    expect(checkTarget('a b', 0), 'the host first').to.match(/^invalid host/);
  });

  it('checkTimeout: 100 ms to 10 minutes, finite', () => {
    for (const ms of [100, 100.5, 2000, 600_000]) expect(checkTimeout(ms), String(ms)).to.equal(undefined);
    for (const ms of [99.9, 0, -1, 600_001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(checkTimeout(ms), String(ms)).to.equal(`invalid timeout ${String(ms)} ms: must be 100 ms to 10 minutes`);
    }
  });

  it('checkName: DNS names, absolute or not', () => {
    expect(checkName('echo.demo')).to.equal(undefined);
    expect(checkName('echo.demo.')).to.equal(undefined);
    expect(checkName('echo demo')).to.match(/^invalid DNS name "echo demo"/);
  });

  it('checkUrlPath: starts with /, URL characters only, at most 2048', () => {
    for (const path of ['/', '/hostname', "/a-b_c.d~e!$&'()*+,;=:@%20/f", '/q?x=1&y=/2?']) expect(checkUrlPath(path), path).to.equal(undefined);
    expect(checkUrlPath(`/${'a'.repeat(2047)}`)).to.equal(undefined);
    expect(checkUrlPath(`/${'a'.repeat(2048)}`)).to.match(/^invalid HTTP path/);
    for (const path of ['', 'x', ' /', '/a b', '/a\nb', '/a"b', '/a#b', '/a`id`', '/a<b', '/a?b c', '/a\\b']) {
      expect(checkUrlPath(path), JSON.stringify(path)).to.equal(`invalid HTTP path ${JSON.stringify(path)}: must start with / and hold only URL characters`);
    }
  });
});
