import { expect } from 'chai';
import { mustParseCidr, overlaps } from '../../../harness/model/cidr.js';
import { reservedRanges } from '../../../harness/plan/planRun.js';
import { allocateSubnets, SubnetConflictError, type SubnetRequest } from '../../../harness/plan/subnetAllocator.js';

/** Small deterministic PRNG (mulberry32) so a failing random case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const reserved = reservedRanges('172.18.0.0/16');

describe('subnet allocator', () => {
  it('allocates distinct, recognisable ranges in cluster order', () => {
    const result = allocateSubnets([{ name: 'a' }, { name: 'b' }, { name: 'c' }], reserved);
    expect([...result.entries()]).to.deep.equal([
      ['a', { podSubnet: '10.10.0.0/16', serviceSubnet: '10.110.0.0/16' }],
      ['b', { podSubnet: '10.20.0.0/16', serviceSubnet: '10.120.0.0/16' }],
      ['c', { podSubnet: '10.30.0.0/16', serviceSubnet: '10.130.0.0/16' }],
    ]);
  });

  it('keeps explicit subnets and allocates around them', () => {
    const result = allocateSubnets([{ name: 'a', podSubnet: '10.20.0.0/16' }, { name: 'b' }, { name: 'c', serviceSubnet: '10.10.0.0/15' }], reserved);
    expect(result.get('a')!.podSubnet).to.equal('10.20.0.0/16');
    expect(result.get('b')!.podSubnet).to.equal('10.30.0.0/16');
    expect(result.get('c')!.serviceSubnet).to.equal('10.10.0.0/15');
    expect(result.get('a')!.serviceSubnet).to.equal('10.110.0.0/16');
  });

  it("never hands out kind's default service range, the Docker bridge or the kind network", () => {
    const kindNet = reservedRanges('10.90.0.0/15'); // a kind network Docker placed inside 10/8
    const many = allocateSubnets(Array.from({ length: 60 }, (_, i) => ({ name: `c${i}` })), kindNet);
    for (const { podSubnet, serviceSubnet } of many.values()) {
      for (const r of kindNet) {
        expect(overlaps(mustParseCidr(podSubnet), mustParseCidr(r.cidr)), `${podSubnet} vs ${r.cidr}`).to.equal(false);
        expect(overlaps(mustParseCidr(serviceSubnet), mustParseCidr(r.cidr)), `${serviceSubnet} vs ${r.cidr}`).to.equal(false);
      }
    }
  });

  it('names both owners when an explicit subnet collides with a reserved range', () => {
    const attempt = (): unknown => allocateSubnets([{ name: 'a', podSubnet: '172.18.0.0/24' }], reserved);
    expect(attempt).to.throw(SubnetConflictError, 'podSubnet 172.18.0.0/24 overlaps 172.18.0.0/16 (the kind Docker network)');
    expect(() => attempt()).to.throw(SubnetConflictError).with.property('cluster', 'a');
  });

  it('says so when 10.0.0.0/8 is exhausted', () => {
    expect(() => allocateSubnets(Array.from({ length: 200 }, (_, i) => ({ name: `c${i}` })), reserved)).to.throw(SubnetConflictError, 'no free /16');
  });

  it('random topologies: never an overlap, always the same answer for the same input', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const next = rng(seed);
      const n = 1 + Math.floor(next() * 12);
      const explicit = new Set<number>();
      const requests: SubnetRequest[] = Array.from({ length: n }, (_, i) => {
        const req: { name: string; podSubnet?: string; serviceSubnet?: string } = { name: `c${i}` };
        // Some clusters pin a range: a random free /16 or /17 in 10/8 (never twice the same second octet).
        for (const field of ['podSubnet', 'serviceSubnet'] as const) {
          if (next() < 0.3) {
            const octet = 1 + Math.floor(next() * 250);
            if (explicit.has(octet) || octet === 96) continue;
            explicit.add(octet);
            req[field] = next() < 0.5 ? `10.${octet}.0.0/16` : `10.${octet}.128.0/17`;
          }
        }
        return req;
      });
      const a = allocateSubnets(requests, reserved);
      const b = allocateSubnets(requests, reserved);
      expect([...a.entries()], `seed ${seed}: not deterministic`).to.deep.equal([...b.entries()]);
      const all = [...a.values()].flatMap((s) => [s.podSubnet, s.serviceSubnet]).concat(reserved.map((r) => r.cidr));
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          expect(overlaps(mustParseCidr(all[i]!), mustParseCidr(all[j]!)), `seed ${seed}: ${all[i]} overlaps ${all[j]}`).to.equal(false);
        }
      }
      requests.forEach((r) => {
        if (r.podSubnet) expect(a.get(r.name)!.podSubnet).to.equal(r.podSubnet);
      });
    }
  });
});
