import { expect } from 'chai';
import {
  EXTERNAL_NAME,
  EXTERNAL_ZONE,
  caSubject,
  corefileStanza,
  dnsmasqConfig,
  endpointContainerName,
  serverExtensions,
  serverSubject,
  withStanza,
  withoutStanza,
} from '../../../harness/external/endpointConfig.js';

/** kind's CoreDNS Corefile (kubeadm default), as `kubectl -n kube-system get cm coredns` shows it. */
const KIND_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

describe('external endpoint: names, DNS, certificate fields, CoreDNS stanza', () => {
  it('serves a name under the reserved .test domain (RFC 2606)', () => {
    expect(EXTERNAL_ZONE).to.equal('kconn.test');
    expect(EXTERNAL_NAME).to.equal('external.kconn.test');
    expect(EXTERNAL_NAME.endsWith(`.${EXTERNAL_ZONE}`)).to.equal(true);
  });

  it('names its container after the run, and refuses what is not a run id', () => {
    expect(endpointContainerName('ab12cd')).to.equal('kconn-ab12cd-external');
    for (const bad of ['', 'ABC', 'toolong7', 'a;b', '../x']) expect(() => endpointContainerName(bad), bad).to.throw(/not a run id|run id/);
  });

  it('dnsmasq answers the name with the address, nothing upstream, NXDOMAIN for the rest of the zone', () => {
    const conf = dnsmasqConfig(EXTERNAL_NAME, '172.18.0.9').split('\n');
    expect(conf).to.include.members(['no-resolv', 'no-hosts', 'local=/kconn.test/', 'host-record=external.kconn.test,172.18.0.9']);
    expect(conf.filter((l) => l.startsWith('server='))).to.deep.equal([]);
    expect(dnsmasqConfig(EXTERNAL_NAME, 'fc00:f853:ccd:e793::5')).to.contain('host-record=external.kconn.test,fc00:f853:ccd:e793::5\n');
  });

  it('refuses an address or a name that could inject a line or an option', () => {
    for (const ip of ['172.18.0.9\nserver=8.8.8.8', '172.18.0', 'external', '']) {
      expect(() => dnsmasqConfig(EXTERNAL_NAME, ip), ip).to.throw(/not an IP address/);
      expect(() => serverExtensions(EXTERNAL_NAME, ip), ip).to.throw(/not an IP address/);
      expect(() => corefileStanza(ip), ip).to.throw(/not an IP address/);
    }
    for (const name of ['a\nb', 'a,IP:1.2.3.4', 'a b', '-x', '']) {
      expect(() => dnsmasqConfig(name, '10.0.0.1'), name).to.throw(/invalid DNS name/);
      expect(() => serverExtensions(name, '10.0.0.1'), name).to.throw(/invalid DNS name/);
      expect(() => serverSubject(name), name).to.throw(/invalid DNS name/);
    }
    expect(() => caSubject('A/B')).to.throw(/run id/);
  });

  it('the server certificate holds the name and the address as subjectAltNames, for server auth only', () => {
    const ext = serverExtensions(EXTERNAL_NAME, '172.18.0.9').split('\n');
    expect(ext).to.include('subjectAltName=DNS:external.kconn.test,IP:172.18.0.9');
    expect(ext).to.include('basicConstraints=critical,CA:FALSE');
    expect(ext).to.include('extendedKeyUsage=serverAuth');
    expect(serverSubject(EXTERNAL_NAME)).to.equal('/O=kconn/CN=external.kconn.test');
    expect(caSubject('ab12cd')).to.equal('/O=kconn/CN=kconn run ab12cd CA');
  });

  it('the Corefile stanza forwards only the zone kconn.test to the endpoint', () => {
    expect(corefileStanza('172.18.0.9')).to.equal(
      ['# kconn external endpoint: begin', 'kconn.test:53 {', '    errors', '    cache 30', '    forward . 172.18.0.9', '}', '# kconn external endpoint: end', ''].join('\n'),
    );
  });

  it('adding the stanza keeps the Corefile as it was, and removing it restores it byte for byte', () => {
    const stanza = corefileStanza('172.18.0.9');
    for (const original of [KIND_COREFILE, KIND_COREFILE.trimEnd(), '', `${KIND_COREFILE}\n`]) {
      const patched = withStanza(original, stanza);
      expect(patched.startsWith(original)).to.equal(true);
      expect(patched).to.contain('forward . 172.18.0.9');
      expect(withoutStanza(patched)).to.equal(original);
    }
  });

  it('a stanza left by an earlier (crashed) run is replaced, never doubled', () => {
    const once = withStanza(KIND_COREFILE, corefileStanza('172.18.0.9'));
    const twice = withStanza(once, corefileStanza('172.18.0.10'));
    expect(twice.match(/kconn\.test:53/g)).to.have.length(1);
    expect(twice).to.contain('forward . 172.18.0.10').and.not.contain('172.18.0.9');
    expect(withoutStanza(twice)).to.equal(KIND_COREFILE);
  });

  it('a Corefile without a stanza is unchanged by removal; a half stanza is refused, not mangled', () => {
    expect(withoutStanza(KIND_COREFILE)).to.equal(KIND_COREFILE);
    expect(() => withoutStanza(`${KIND_COREFILE}# kconn external endpoint: begin\nkconn.test:53 {\n`)).to.throw(/not its end/);
  });
});
