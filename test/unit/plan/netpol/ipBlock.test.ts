import { expect } from 'chai';
import { formatRange, parseIp, parseIpRange, rangeContains, strictSubset } from '../../../../harness/plan/netpol/ipBlock.js';

const range = (text: string) => {
  const r = parseIpRange(text);
  if (!r.range) throw new Error(r.problem);
  return r.range;
};

describe('netpol ipBlock arithmetic', () => {
  it('parses IPv4 and IPv6 addresses, and refuses what is neither', () => {
    expect(parseIp('10.0.0.1')).to.deep.equal({ family: 4, value: 167772161n });
    expect(parseIp('::1')).to.deep.equal({ family: 6, value: 1n });
    expect(parseIp('fd00::1:b')!.value).to.equal((0xfd00n << 112n) | (1n << 16n) | 0xbn);
    expect(parseIp('::ffff:10.0.0.1')!.value).to.equal((0xffffn << 32n) | 167772161n);
    expect(parseIp('1:2:3:4:5:6:7:8')!.value).to.equal(0x00010002000300040005000600070008n);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', 'example.com', '']) {
      expect(parseIp(bad), bad).to.equal(undefined);
    }
  });

  const contains: [string, string, boolean][] = [
    ['10.0.0.0/16', '10.0.255.255', true],
    ['10.0.0.0/16', '10.1.0.0', false],
    ['10.0.0.0/16', '10.0.0.0', true],
    ['0.0.0.0/0', '192.168.1.1', true],
    ['10.0.2.2/32', '10.0.2.2', true],
    ['10.0.2.2/32', '10.0.2.3', false],
    ['fd00::/64', 'fd00::1:b', true],
    ['fd00::/112', 'fd00::1:b', false],
    ['::/0', '10.0.0.1', false],
    ['0.0.0.0/0', '::1', false],
  ];
  for (const [cidr, ip, want] of contains) {
    it(`${cidr} ${want ? 'holds' : 'does not hold'} ${ip}`, () => expect(rangeContains(range(cidr), parseIp(ip)!)).to.equal(want));
  }

  it('except entries must be strict subsets of the cidr, of the same family', () => {
    expect(strictSubset(range('10.0.2.0/24'), range('10.0.0.0/16'))).to.equal(true);
    expect(strictSubset(range('10.0.0.0/16'), range('10.0.0.0/16'))).to.equal(false);
    expect(strictSubset(range('10.1.0.0/24'), range('10.0.0.0/16'))).to.equal(false);
    expect(strictSubset(range('10.0.0.0/8'), range('10.0.0.0/16'))).to.equal(false);
    expect(strictSubset(range('fd00::/64'), range('0.0.0.0/0'))).to.equal(false);
  });

  it('clears host bits and says so; refuses malformed ranges with the reason', () => {
    expect(parseIpRange('10.0.0.1/8')).to.deep.include({ hostBits: true });
    expect(formatRange(parseIpRange('10.0.0.1/8').range!)).to.equal('10.0.0.0/8');
    expect(formatRange(range('fd00::1/64'))).to.equal('fd00::/64');
    expect(parseIpRange('10.0.0.0').problem).to.include('expected address/prefix');
    expect(parseIpRange('10.0.0.0/33').problem).to.include('from 0 to 32');
    expect(parseIpRange('fd00::/129').problem).to.include('from 0 to 128');
    expect(parseIpRange('ten/8').problem).to.include('"ten" is not an IPv4 or IPv6 address');
  });
});
