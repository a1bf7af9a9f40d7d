import { expect } from 'chai';
import { parseIpv4 } from '../../../harness/model/cidr.js';
import { metallbObjects, metallbSlices } from '../../../harness/mesh/istio/loadBalancer.js';

function ok(result: ReturnType<typeof metallbSlices>) {
  if (!result.ok) throw new Error(result.reason);
  return result.slices;
}

const ip = (text: string): number => parseIpv4(text)!;

describe('MetalLB: a distinct slice of the kind network per cluster', () => {
  it('gives each cluster 64 addresses of the upper half of a /16, next to each other, never the broadcast address', () => {
    const slices = ok(metallbSlices('172.18.0.0/16', ['east', 'west'], 'kconn-ab12cd-east,kconn-ab12cd-west'));
    expect(slices.map((s) => s.cluster)).to.deep.equal(['east', 'west']);
    for (const s of slices) {
      expect(ip(s.last) - ip(s.first)).to.equal(63);
      expect(ip(s.first)).to.be.at.least(ip('172.18.128.0'));
      expect(ip(s.last)).to.be.below(ip('172.18.255.255'));
    }
    expect(ip(slices[1]!.first)).to.equal(ip(slices[0]!.last) + 1);
  });

  it('is the same for the same run, and puts other runs elsewhere on a shared network', () => {
    const a = ok(metallbSlices('172.18.0.0/16', ['east', 'west'], 'kconn-ab12cd-east'));
    expect(ok(metallbSlices('172.18.0.0/16', ['east', 'west'], 'kconn-ab12cd-east'))).to.deep.equal(a);
    const others = ['zz0001', 'zz0002', 'zz0003', 'qq7777', 'x1y2z3'].map((run) => ok(metallbSlices('172.18.0.0/16', ['east', 'west'], `kconn-${run}-east`)));
    const starts = new Set([a, ...others].map((s) => s[0]!.first));
    expect(starts.size).to.equal(6);
  });

  it('shrinks slices on a small network and keeps them in its upper half', () => {
    const slices = ok(metallbSlices('192.168.50.0/24', ['a', 'b', 'c'], 'seed'));
    for (const s of slices) {
      expect(ip(s.last) - ip(s.first)).to.equal(7);
      expect(ip(s.first)).to.be.at.least(ip('192.168.50.128'));
      expect(ip(s.last)).to.be.at.most(ip('192.168.50.247'));
    }
    expect(new Set(slices.map((s) => s.first)).size).to.equal(3);
  });

  it('refuses a network too small for the clusters, and an IPv6 one, saying why', () => {
    const tiny = metallbSlices('10.0.0.0/28', ['a', 'b'], 'seed');
    expect(tiny).to.deep.equal({ ok: false, reason: 'the kind network 10.0.0.0/28 is too small for MetalLB: its upper half holds 1 slice(s) of 4 addresses, and the topology needs 2' });
    const v6 = metallbSlices('fc00:f853:ccd:e793::/64', ['a', 'b'], 'seed');
    expect(v6.ok).to.equal(false);
    expect(!v6.ok && v6.reason).to.match(/^kind network fc00:f853:ccd:e793::\/64: IPv6 ranges are not supported yet/);
  });

  it('configures the slice as an IPAddressPool announced by an L2Advertisement in metallb-system', () => {
    expect(metallbObjects({ cluster: 'east', first: '172.18.200.0', last: '172.18.200.63' })).to.deep.equal([
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'kconn-east', namespace: 'metallb-system' },
        spec: { addresses: ['172.18.200.0-172.18.200.63'] },
      },
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'L2Advertisement',
        metadata: { name: 'kconn-east', namespace: 'metallb-system' },
        spec: { ipAddressPools: ['kconn-east'] },
      },
    ]);
  });
});
