import { expect } from 'chai';
import { cidrSize, formatCidr, formatIpv4, mustParseCidr, overlaps, parseCidr, parseIpv4 } from '../../../harness/model/cidr.js';
import { parseDuration } from '../../../harness/model/duration.js';
import { isRecord } from '../../../harness/model/isRecord.js';
import { formatPath, locateMessage } from '../../../harness/model/source.js';
import { inExternalZone } from '../../../harness/model/needsExternalEndpoint.js';
import { podRecordName, truthTableCells, type TruthTable } from '../../../harness/model/suite.js';

// The model's small value helpers: addresses and ranges, durations, field paths and located messages, names.

describe('model: IPv4 addresses and CIDR ranges', () => {
  it('parses dotted quads exactly: four octets of 0-255, no leading zeros, nothing around them', () => {
    expect(parseIpv4('0.0.0.0')).to.equal(0);
    expect(parseIpv4('10.1.2.3')).to.equal(((10 * 256 + 1) * 256 + 2) * 256 + 3);
    expect(parseIpv4('255.255.255.255')).to.equal(2 ** 32 - 1);
    for (const bad of ['256.0.0.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', 'a1.2.3.4', '1.2.3.4a', ' 1.2.3.4', '1.2.3.1000', '']) {
      expect(parseIpv4(bad), bad).to.equal(undefined);
    }
    expect(formatIpv4(parseIpv4('192.168.100.7')!)).to.equal('192.168.100.7');
    expect(formatIpv4(2 ** 32 - 1)).to.equal('255.255.255.255');
  });

  it('parses a range, refusing host bits with the range probably meant', () => {
    expect(parseCidr('10.10.0.0/16')).to.deep.equal({ ok: true, cidr: { base: parseIpv4('10.10.0.0'), prefix: 16 } });
    expect(parseCidr('0.0.0.0/0')).to.deep.equal({ ok: true, cidr: { base: 0, prefix: 0 } });
    expect(parseCidr('10.1.2.3/32')).to.deep.equal({ ok: true, cidr: { base: parseIpv4('10.1.2.3'), prefix: 32 } });
    expect(parseCidr('10.10.1.0/16')).to.deep.equal({ ok: false, reason: 'has host bits set; did you mean 10.10.0.0/16?' });
    expect(parseCidr('10.10.0.0')).to.deep.equal({ ok: false, reason: 'expected an IPv4 CIDR such as 10.10.0.0/16 (missing "/prefix")' });
    expect(parseCidr('fd00::/64')).to.deep.equal({ ok: false, reason: 'IPv6 ranges are not supported yet; use an IPv4 CIDR such as 10.10.0.0/16' });
    expect(parseCidr('a10.10.0.0/16')).to.deep.equal({ ok: false, reason: '"a10.10.0.0" is not an IPv4 address' });
    for (const prefix of ['33', '-1', '', 'x', '100', '1 ']) {
      expect(parseCidr(`10.0.0.0/${prefix}`), prefix).to.deep.equal({ ok: false, reason: `prefix "/${prefix}" must be a number from 0 to 32` });
    }
  });

  it('sizes, overlaps and formats ranges', () => {
    const a = mustParseCidr('10.0.0.0/24');
    expect(cidrSize(a)).to.equal(256);
    expect(cidrSize(mustParseCidr('0.0.0.0/0'))).to.equal(2 ** 32);
    expect(formatCidr(a)).to.equal('10.0.0.0/24');
    expect(overlaps(a, mustParseCidr('10.0.0.128/25'))).to.equal(true);
    expect(overlaps(mustParseCidr('10.0.0.128/25'), a)).to.equal(true);
    expect(overlaps(a, mustParseCidr('10.0.1.0/24')), 'adjacent above').to.equal(false);
    expect(overlaps(mustParseCidr('10.0.1.0/24'), a), 'adjacent below').to.equal(false);
    expect(overlaps(mustParseCidr('10.0.0.0/8'), mustParseCidr('10.200.0.0/16'))).to.equal(true);
    expect(overlaps(mustParseCidr('10.0.0.255/32'), a)).to.equal(true);
    expect(overlaps(mustParseCidr('10.0.1.0/32'), a)).to.equal(false);
    expect(() => mustParseCidr('10.0.0.1/24')).to.throw('invalid CIDR 10.0.0.1/24: has host bits set; did you mean 10.0.0.0/24?');
  });
});

describe('model: durations', () => {
  it('reads ms, s, m and h, with decimals, rounded to whole milliseconds', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('2s')).to.equal(2000);
    expect(parseDuration('1.5m')).to.equal(90_000);
    expect(parseDuration('1h')).to.equal(3_600_000);
    expect(parseDuration(' 0.0015s ')).to.equal(2);
    for (const bad of ['2', 's', '2 s', '-1s', '1.s', '.5s', '1d', '1sx', 'x1s', '1S', '1e3ms', '']) expect(parseDuration(bad), bad).to.equal(undefined);
  });
});

describe('model: field paths and located messages', () => {
  it('renders paths as users read them', () => {
    expect(formatPath([])).to.equal('');
    expect(formatPath(['spec', 'clusters', 1, 'podSubnet'])).to.equal('spec.clusters[1].podSubnet');
    expect(formatPath([0, 'name'])).to.equal('[0].name');
    expect(formatPath(['a', 2, 3])).to.equal('a[2][3]');
  });

  it('file:line:col when the position is known (column 1 by default), else the file alone', () => {
    expect(locateMessage({ file: 'f.yaml', doc: 0, path: ['spec', 'x'], line: 3, col: 7 }, 'bad')).to.equal('f.yaml:3:7: spec.x: bad');
    expect(locateMessage({ file: 'f.yaml', doc: 0, path: ['spec'], line: 3 }, 'bad')).to.equal('f.yaml:3:1: spec: bad');
    expect(locateMessage({ file: 'f.yaml', doc: 1, path: [] }, 'bad')).to.equal('f.yaml: bad');
  });

  it('isRecord: a mapping, not a list, null or a scalar', () => {
    expect(isRecord({})).to.equal(true);
    expect(isRecord(Object.create(null))).to.equal(true);
    for (const no of [null, undefined, [], 'x', 1, true]) expect(isRecord(no), String(no)).to.equal(false);
  });
});

describe('model: names', () => {
  it("a pod's A record name", () => {
    expect(podRecordName('10.244.1.7', 'demo')).to.equal('10-244-1-7.demo.pod.cluster.local');
  });

  it('the external zone: the zone itself and names under it, any case, with or without the final dot', () => {
    for (const yes of ['kconn.test', 'kconn.test.', 'external.kconn.test', 'A.B.KCONN.TEST.']) expect(inExternalZone(yes), yes).to.equal(true);
    for (const no of ['xkconn.test', 'kconn.test.example', 'kconn.testx', 'kconn', 'test', 'kconn.test..']) expect(inExternalZone(no), no).to.equal(false);
  });

  it('a truth table has pods² cells per port', () => {
    const pod = (name: string) => ({ name, source: { file: 'f', doc: 0, path: [] } });
    const table = { namespaces: [{ pods: [pod('a'), pod('b')] }, { pods: [pod('c')] }], ports: [{}, {}] } as unknown as TruthTable;
    expect(truthTableCells(table)).to.equal(18);
  });
});
