import { expect } from 'chai';
import { parseCidr } from '../../../harness/model/cidr.js';
import { compareVersions } from '../../../harness/model/semver.js';
import { checkDnsLabel, checkDnsName, checkHost, checkLabelSelector, checkNamespacedName, FORMATS } from '../../../harness/model/formats.js';
import { needsExternalEndpoint } from '../../../harness/model/needsExternalEndpoint.js';
import { clustersNamedBy, type SuiteTest } from '../../../harness/model/suite.js';
import { checkVersion } from '../../../harness/model/versionPolicy.js';

// The schema formats at their limits (63-character labels, 253-character names, label keys with prefixes, selector
// terms), with the exact message each gives; and the small suite helpers the cross checks and the run rely on.

const sel = (v: string, why: string): string => `invalid label selector "${v}": ${why}`;

describe('model: formats at their limits', () => {
  it('DNS-1123 labels: at most 63 characters', () => {
    expect(checkDnsLabel('a'.repeat(63))).to.equal(undefined);
    expect(checkDnsLabel('a'.repeat(64))).to.equal(
      `invalid name "${'a'.repeat(64)}": must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
    expect(checkDnsLabel('a-')).to.be.a('string');
  });

  it('DNS names: at most 253 characters, labels of at most 63, not empty', () => {
    const label63 = 'a'.repeat(63);
    const name253 = [label63, label63, label63, 'b'.repeat(61)].join('.');
    expect(name253).to.have.length(253);
    expect(checkDnsName(name253)).to.equal(undefined);
    expect(checkDnsName(`${name253}.`), 'the final dot does not count').to.equal(undefined);
    const message = (v: string) => `invalid DNS name "${v}": labels of letters, digits and '-', separated by dots, at most 253 characters`;
    expect(checkDnsName(`${name253}b`)).to.equal(message(`${name253}b`));
    expect(checkDnsName(`${label63}.x`)).to.equal(undefined);
    expect(checkDnsName(`${label63}a.x`)).to.equal(message(`${label63}a.x`));
    expect(checkDnsName('')).to.equal(message(''));
    expect(checkDnsName('.')).to.equal(message('.'));
  });

  it('hosts: all digits and dots is an address (and must be one); anything else a DNS name', () => {
    expect(checkHost('10.1.2.300')).to.equal('invalid host "10.1.2.300": not an IPv4 address');
    expect(checkHost('1.2.3')).to.equal('invalid host "1.2.3": not an IPv4 address');
    expect(checkHost('a1.2.3.4'), 'a name that starts with a letter').to.equal(undefined);
    expect(checkHost('1.2.3.4a'), 'a name that ends with a letter').to.equal(undefined);
    expect(checkHost('bad_host!')).to.equal('invalid host "bad_host!": must be a DNS name or an IPv4 address');
  });

  it('namespaced names: the exact message', () => {
    expect(checkNamespacedName('a/b/c')).to.equal('invalid service "a/b/c": expected namespace/name or name, DNS-1123 labels');
  });

  it('label keys: an optional DNS prefix of at most 253 characters, a name of at most 63', () => {
    const name63 = 'k'.repeat(63);
    expect(checkLabelSelector(`${name63}=v`)).to.equal(undefined);
    expect(checkLabelSelector(`${name63}x=v`)).to.equal(sel(`${name63}x=v`, `"${name63}x" is not a valid label key`));
    expect(checkLabelSelector(`example.com/${name63}=v`)).to.equal(undefined);
    expect(checkLabelSelector(`example.com/${name63}x=v`)).to.equal(sel(`example.com/${name63}x=v`, `"example.com/${name63}x" is not a valid label key`));
    expect(checkLabelSelector('bad_prefix/app=v')).to.equal(sel('bad_prefix/app=v', '"bad_prefix/app" is not a valid label key'));
    expect(checkLabelSelector('/app=v'), 'an empty prefix').to.equal(sel('/app=v', '"/app" is not a valid label key'));
    expect(checkLabelSelector('app/=v'), 'an empty name').to.equal(sel('app/=v', '"app/" is not a valid label key'));
    const label63 = 'p'.repeat(63);
    const prefix253 = [label63, label63, label63, 'q'.repeat(61)].join('.');
    expect(checkLabelSelector(`${prefix253}/app=v`)).to.equal(undefined);
    expect(checkLabelSelector(`${prefix253}q/app=v`)).to.be.a('string');
  });

  it('label values: at most 63 characters, possibly empty', () => {
    expect(checkLabelSelector(`app=${'v'.repeat(63)}`)).to.equal(undefined);
    expect(checkLabelSelector(`app=${'v'.repeat(64)}`)).to.equal(sel(`app=${'v'.repeat(64)}`, `"${'v'.repeat(64)}" is not a valid label value`));
    expect(checkLabelSelector('app in (a,,b)'), 'an empty value in a set').to.equal(undefined);
    expect(checkLabelSelector(`app in (a, ${'v'.repeat(64)})`)).to.equal(sel(`app in (a, ${'v'.repeat(64)})`, `"a, ${'v'.repeat(64)}" holds an invalid label value`));
    expect(checkLabelSelector('app in (a, -b)')).to.equal(sel('app in (a, -b)', '"a, -b" holds an invalid label value'));
  });

  it('selector terms: set terms need spaces and a closed list, commas inside a list do not split terms', () => {
    expect(checkLabelSelector('  ')).to.equal(sel('  ', 'empty (a selector that matches every pod must be explicit)'));
    expect(checkLabelSelector('app  in  (a,b), tier notin (c)')).to.equal(undefined);
    expect(checkLabelSelector('-app in (a)')).to.equal(sel('-app in (a)', '"-app" is not a valid label key'));
    expect(checkLabelSelector('app in (a) x')).to.equal(sel('app in (a) x', 'cannot parse "app in (a) x"'));
    expect(checkLabelSelector('x app in (a)')).to.equal(sel('x app in (a)', 'cannot parse "x app in (a)"'));
    expect(checkLabelSelector('app in(a)')).to.equal(sel('app in(a)', 'cannot parse "app in(a)"'));
    expect(checkLabelSelector('app=x y')).to.equal(sel('app=x y', 'cannot parse "app=x y"'));
    expect(checkLabelSelector('x y=z')).to.equal(sel('x y=z', 'cannot parse "x y=z"'));
    expect(checkLabelSelector('a b')).to.equal(sel('a b', 'cannot parse "a b"'));
    expect(checkLabelSelector('app = x')).to.equal(undefined);
    expect(checkLabelSelector('app,,tier')).to.equal(sel('app,,tier', 'cannot parse ""'));
    expect(checkLabelSelector('app=a,tier')).to.equal(undefined);
  });

  it('every format has its check, under the name the schemas use', () => {
    expect(Object.keys(FORMATS).sort()).to.deep.equal(['cidr', 'dns-name', 'dns1123-label', 'duration', 'host', 'image-reference', 'label-selector', 'namespaced-name']);
    expect(FORMATS['image-reference']!('kindest/node:v1.34.0')).to.equal(undefined);
    expect(FORMATS['image-reference']!('kindest/node')).to.be.a('string');
    expect(FORMATS['cidr']!('10.0.0.1/8')).to.equal('invalid CIDR "10.0.0.1/8": has host bits set; did you mean 10.0.0.0/8?');
    expect(FORMATS['duration']!('5x')).to.equal('invalid duration "5x": use a number and a unit, e.g. 500ms, 2s, 1m');
    expect(FORMATS['duration']!('5s')).to.equal(undefined);
  });
});

describe('model: edge cases of versions and ranges', () => {
  it('a range with no address before the slash is not an address, not a missing prefix', () => {
    expect(parseCidr('/16')).to.deep.equal({ ok: false, reason: '"" is not an IPv4 address' });
  });

  it('pre-release identifiers: only all-digit ones are numeric, and they rank below any other', () => {
    expect(compareVersions('1.0.0-a1', '1.0.0-2')).to.equal(1);
    expect(compareVersions('1.0.0-1a', '1.0.0-2')).to.equal(1);
    expect(compareVersions('1.0.0-2', '1.0.0-1a')).to.equal(-1);
    expect(compareVersions('1.0.0-2', '1.0.0-a1')).to.equal(-1);
    // "-" sorts before digits as text: the numeric rule, not text order, decides.
    expect(compareVersions('1.0.0--x', '1.0.0-1')).to.equal(1);
    expect(compareVersions('1.0.0-1', '1.0.0--x')).to.equal(-1);
  });

  it('a version of another major than the pin is refused without the "too old" reason when it is not older than the oldest', () => {
    const policy = { pinned: '2.1.0', oldest: '1.9.0', spelling: 'plain', why: 'too old' } as const;
    expect(checkVersion('x', '1.9.0', policy)).to.deep.equal({ ok: false, severity: 'error', message: 'kconn has no install steps for x 1.9.0: it installs 1.9.0 to 2.1.x (pinned 2.1.0)' });
    expect(checkVersion('x', '1.8.0', policy)).to.deep.include({ message: 'kconn has no install steps for x 1.8.0: it installs 1.9.0 to 2.1.x (pinned 2.1.0): too old' });
  });
});

describe('model: clusters a test names, and tests that need the external endpoint', () => {
  const source = { file: 'f', doc: 0, path: [] };
  const conn = (from: object, to: object, extra: object = {}): SuiteTest =>
    ({ type: 'connectivity', name: 't', source, from: { namespace: 'demo', selector: 'app=c', ...from }, to, expect: { outcome: 'reachable' }, ...extra }) as unknown as SuiteTest;
  const dns = (from: object, name: string, podOf?: object): SuiteTest =>
    ({ type: 'dns', name: 't', source, from: { namespace: 'demo', selector: 'app=c', ...from }, dns: { name, recordType: 'A', ...(podOf ? { podOf } : {}) }, expect: { resolves: true } }) as unknown as SuiteTest;

  it('the source cluster, the target cluster (not of a host target) and the answering clusters, once each', () => {
    expect(clustersNamedBy(conn({ cluster: 'east' }, { kind: 'service', service: 'demo/echo', cluster: 'west', port: 80 }))).to.deep.equal(['east', 'west']);
    expect(clustersNamedBy(conn({}, { kind: 'service', service: 'demo/echo', port: 80 }))).to.deep.equal([]);
    expect(clustersNamedBy(conn({ cluster: 'east' }, { kind: 'host', host: 'x.test', cluster: 'west', port: 80 }))).to.deep.equal(['east']);
    expect(
      clustersNamedBy(conn({ cluster: 'east' }, { kind: 'service', service: 'demo/echo', cluster: 'east', port: 80 }, { expect: { outcome: 'reachable', answeredBy: { clusters: ['west', 'east', 'north'] } } })),
    ).to.deep.equal(['east', 'west', 'north']);
    expect(clustersNamedBy(dns({ cluster: 'south' }, 'echo.demo'))).to.deep.equal(['south']);
    expect(clustersNamedBy(dns({}, 'echo.demo'))).to.deep.equal([]);
  });

  it('the external endpoint: a name in its zone, a host marked external, or TLS verified against the run CA', () => {
    expect(needsExternalEndpoint(dns({}, 'external.kconn.test'))).to.equal(true);
    expect(needsExternalEndpoint(dns({}, 'echo.demo.svc.cluster.local'))).to.equal(false);
    expect(needsExternalEndpoint(dns({}, 'external.kconn.test', { namespace: 'demo', selector: 'app=x' })), 'a pod record lookup').to.equal(false);
    expect(needsExternalEndpoint(conn({}, { kind: 'host', host: 'external.kconn.test', port: 443 }))).to.equal(true);
    expect(needsExternalEndpoint(conn({}, { kind: 'host', host: 'example.org', external: true, port: 443 }))).to.equal(true);
    expect(needsExternalEndpoint(conn({}, { kind: 'host', host: 'example.org', port: 443 }))).to.equal(false);
    expect(needsExternalEndpoint(conn({}, { kind: 'host', host: 'example.org', external: false, port: 443 }))).to.equal(false);
    expect(needsExternalEndpoint(conn({}, { kind: 'service', service: 'demo/echo', port: 443 }, { tls: { ca: 'run' } }))).to.equal(true);
    expect(needsExternalEndpoint(conn({}, { kind: 'service', service: 'demo/echo', port: 443 }, { tls: {} }))).to.equal(false);
    expect(needsExternalEndpoint(conn({}, { kind: 'service', service: 'demo/echo', port: 443 }))).to.equal(false);
  });
});
