import { expect } from 'chai';
import { checkDnsName, checkHost, checkLabelSelector, checkNamespacedName } from '../../harness/model/formats.js';
import { overlaps, parseCidr } from '../../harness/model/cidr.js';
import { parseDuration } from '../../harness/model/duration.js';

describe('formats', () => {
  it('parses CIDRs and rejects host bits, bad octets and IPv6 with the reason', () => {
    expect(parseCidr('10.10.0.0/16')).to.deep.equal({ ok: true, cidr: { base: 0x0a0a0000, prefix: 16 } });
    expect(parseCidr('0.0.0.0/0').ok).to.equal(true);
    expect(parseCidr('10.10.1.0/16')).to.deep.equal({ ok: false, reason: 'has host bits set; did you mean 10.10.0.0/16?' });
    expect(parseCidr('10.256.0.0/16').ok).to.equal(false);
    expect(parseCidr('010.1.0.0/16').ok, 'leading zeros are ambiguous (octal)').to.equal(false);
    expect(parseCidr('10.1.0.0').ok).to.equal(false);
    expect(parseCidr('fd00::/64')).to.deep.include({ ok: false });
  });

  it('overlap is symmetric and exact at the edges', () => {
    const c = (t: string) => (parseCidr(t) as { ok: true; cidr: { base: number; prefix: number } }).cidr;
    expect(overlaps(c('10.0.0.0/8'), c('10.200.0.0/16'))).to.equal(true);
    expect(overlaps(c('10.200.0.0/16'), c('10.0.0.0/8'))).to.equal(true);
    expect(overlaps(c('10.10.0.0/16'), c('10.11.0.0/16'))).to.equal(false);
    expect(overlaps(c('10.10.255.0/24'), c('10.11.0.0/24'))).to.equal(false);
  });

  it('label selectors follow Kubernetes syntax', () => {
    for (const ok of ['app=client', 'app==client', 'app!=x', 'tier', '!tier', 'app in (a, b),tier notin (c)', 'k8s.io/app=x', 'app=']) {
      expect(checkLabelSelector(ok), ok).to.equal(undefined);
    }
    for (const bad of ['', 'app=cl ient', 'app=a=b', 'app in a', '$(reboot)=x', "app='x'"]) {
      expect(checkLabelSelector(bad), bad).to.be.a('string');
    }
  });

  it('DNS names, hosts and namespaced names', () => {
    expect(checkDnsName('echo.demo.svc.cluster.local')).to.equal(undefined);
    expect(checkDnsName('_http._tcp.echo.demo.svc.cluster.local.')).to.equal(undefined);
    expect(checkDnsName('echo;reboot')).to.be.a('string');
    expect(checkDnsName('a'.repeat(64) + '.test')).to.be.a('string');
    expect(checkHost('10.1.2.3')).to.equal(undefined);
    expect(checkHost('10.1.2.300')).to.be.a('string');
    expect(checkHost('$(id)')).to.be.a('string');
    expect(checkNamespacedName('demo/echo')).to.equal(undefined);
    expect(checkNamespacedName('echo'), 'a bare name is in the run namespace').to.equal(undefined);
    expect(checkNamespacedName('a/b/c')).to.be.a('string');
    expect(checkNamespacedName('demo/Echo')).to.be.a('string');
  });

  it('durations', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('2s')).to.equal(2000);
    expect(parseDuration('1.5m')).to.equal(90_000);
    expect(parseDuration('2')).to.equal(undefined);
    expect(parseDuration('2 s')).to.equal(undefined);
  });
});
