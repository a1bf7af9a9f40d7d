import { expect } from 'chai';
import type { ProbeResult } from '../../../harness/model/probe.js';
import type { AnswerSpread } from '../../../harness/model/answerSpread.js';
import { describeSpread, groupOf, judgeSpread, type Backend } from '../../../harness/run/answerSpread.js';
import { binomialRange } from '../../../harness/run/binomialRange.js';

const answer = (backend: string | undefined, source = 'pod east/demo/client'): ProbeResult => ({
  id: 'x',
  spec: { kind: 'http', scheme: 'http', host: '10.96.0.5', port: 8080, path: '/hostname', timeoutMs: 1000 },
  source,
  outcome: 'connected',
  httpStatus: 200,
  body: backend ?? '<html>',
  ...(backend ? { backend } : {}),
  attempts: 1,
  command: [],
  stdout: '',
  stderr: '',
  reproduce: '',
});
const answers = (tally: Record<string, number>): ProbeResult[] => Object.entries(tally).flatMap(([b, n]) => Array.from({ length: n }, () => answer(b)));

const backends: Backend[] = [
  { pod: 'echo-v1-a', cluster: 'east', labels: { version: 'v1' } },
  { pod: 'echo-v1-b', cluster: 'west', labels: { version: 'v1' } },
  { pod: 'echo-v2-a', cluster: 'west', labels: { version: 'v2' } },
];

describe('binomialRange: exact two-sided binomial acceptance', () => {
  // Cross-checked with exact rational arithmetic (python fractions + math.comb, the minimum-likelihood p-value).
  for (const [n, p, conf, lo, hi] of [
    [200, 0.1, 0.999, 8, 35],
    [100, 0.5, 0.999, 34, 66],
    [50, 0.9, 0.99, 39, 49],
    [40, 0.5, 0.999, 10, 30],
    [30, 1 / 3, 0.95, 5, 15],
  ] as const) {
    it(`Binomial(${n}, ${p.toFixed(3)}) at ${conf} accepts ${lo}-${hi}`, () => {
      expect(binomialRange(n, p, conf)).to.deep.equal({ lo, hi });
    });
  }

  it('shares of 0 and 100% accept only none and all', () => {
    expect(binomialRange(50, 0, 0.999)).to.deep.equal({ lo: 0, hi: 0 });
    expect(binomialRange(50, 1, 0.999)).to.deep.equal({ lo: 50, hi: 50 });
  });

  it('a higher confidence widens the range, more requests narrow it relatively', () => {
    const narrow = binomialRange(100, 0.5, 0.9);
    const wide = binomialRange(100, 0.5, 0.999);
    expect(wide.lo).to.be.below(narrow.lo);
    expect(wide.hi).to.be.above(narrow.hi);
    const big = binomialRange(1000, 0.5, 0.999);
    expect((big.hi - big.lo) / 1000).to.be.below((wide.hi - wide.lo) / 100);
  });

  it('no requests accept only none; a share near 1 still ends at n', () => {
    expect(binomialRange(0, 0.5, 0.999)).to.deep.equal({ lo: 0, hi: 0 });
    expect(binomialRange(20, 0.99, 0.999)).to.deep.equal({ lo: 17, hi: 20 });
  });

  it('refuses nonsense', () => {
    expect(() => binomialRange(10, -0.1, 0.9)).to.throw(RangeError, /p must be/);
    expect(() => binomialRange(-1, 0.5, 0.9)).to.throw(RangeError, /n must be/);
    expect(() => binomialRange(2.5, 0.5, 0.9)).to.throw(RangeError, /n must be/);
    expect(() => binomialRange(10, 1.5, 0.9)).to.throw(RangeError, /p must be/);
    expect(() => binomialRange(10, Number.NaN, 0.9)).to.throw(RangeError, /p must be/);
    expect(() => binomialRange(10, 0.5, 1)).to.throw(RangeError, /confidence/);
    expect(() => binomialRange(10, 0.5, 0)).to.throw(RangeError, /confidence/);
  });
});

describe('answerSpread: who answered the repeated requests', () => {
  it('groups a backend by pod, cluster or label (a pod without the label is its own group)', () => {
    const b = backends[2]!;
    expect(groupOf({ by: 'pod' }, b)).to.equal('echo-v2-a');
    expect(groupOf({ by: 'cluster' }, b)).to.equal('west');
    expect(groupOf({ by: 'label', label: 'version' }, b)).to.equal('v2');
    expect(groupOf({ by: 'label', label: 'track' }, b)).to.equal('(no track)');
  });

  it('every pod: passes only when each ready backend answered at least once', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999 };
    expect(judgeSpread(every, answers({ 'echo-v1-a': 5, 'echo-v1-b': 3, 'echo-v2-a': 2 }), backends)).to.deep.equal({
      status: 'pass',
      observed: '10 answers: echo-v1-a 5, echo-v1-b 3, echo-v2-a 2',
    });
    const missed = judgeSpread(every, answers({ 'echo-v1-a': 6, 'echo-v1-b': 4 }), backends);
    expect(missed.status).to.equal('fail');
    expect(missed).to.have.property('observed').that.matches(/never answered: echo-v2-a \(with an even spread over 3, one given group gets no answer in 10 requests with probability 0\.017\)/);
    expect(missed).to.have.property('expected', 'every pod answers at least once in 10 requests (3: echo-v1-a, echo-v1-b, echo-v2-a)');
  });

  it('one pod (sessionAffinity ClientIP): passes only when a single ready backend answered every request', () => {
    const one: AnswerSpread = { group: { by: 'pod' }, one: true, confidence: 0.999, clusters: ['east', 'west'] };
    expect(judgeSpread(one, answers({ 'echo-v1-b': 10 }), backends)).to.deep.equal({
      status: 'pass',
      observed: '10 answers: echo-v1-b 10 (with an even spread over 3, all 10 to one has probability 0.000051)',
    });
    const spread = judgeSpread(one, answers({ 'echo-v1-a': 9, 'echo-v2-a': 1 }), backends);
    expect(spread).to.deep.equal({
      status: 'fail',
      expected: 'one pod answers all 10 requests of a source, among the ready ones (3: echo-v1-a, echo-v1-b, echo-v2-a)',
      observed: '10 answers: echo-v1-a 9, echo-v2-a 1; answered by 2 pods, not one',
    });
    // A stranger is a failure even when it answered everything: it is not a ready backend.
    expect(judgeSpread(one, answers({ 'intruder-1': 10 }), backends).status).to.equal('fail');
    // One ready group: any Service answers "all from one", so the check could not fail.
    const single = judgeSpread({ ...one, group: { by: 'label', label: 'version' } }, answers({ 'echo-v2-a': 10 }), backends.slice(2));
    expect(single).to.deep.equal({ status: 'error', observed: '10 answers: v2 10; the target has 1 ready label version(s): one answering all proves nothing without a second' });
    expect(judgeSpread({ ...one, group: { by: 'label', label: 'version' } }, answers({ 'echo-v1-a': 6, 'echo-v1-b': 4 }), backends).status, 'two pods of one version are one group').to.equal('pass');
  });

  it('every cluster counts clusters, not pods', () => {
    const every: AnswerSpread = { group: { by: 'cluster' }, every: true, confidence: 0.999, clusters: ['east', 'west'] };
    expect(judgeSpread(every, answers({ 'echo-v1-a': 1, 'echo-v2-a': 9 }), backends).status).to.equal('pass');
    const local = judgeSpread(every, answers({ 'echo-v1-a': 10 }), backends);
    expect(local.status).to.equal('fail');
    expect(local).to.have.property('observed').that.contains('10 answers: east 10; never answered: west');
  });

  it('an answer from a pod that is not a backend fails, naming it', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999, clusters: ['east'] };
    const v = judgeSpread(every, [...answers({ 'echo-v1-a': 2, 'echo-v1-b': 1, 'echo-v2-a': 1 }), answer('intruder-1')], backends);
    expect(v.status).to.equal('fail');
    expect(v).to.have.property('observed').that.contains('answered by intruder-1, which is not a ready backend of the target in east');
    expect(v).to.have.property('observed').that.contains('intruder-1 (not a backend) 1');
    const both = judgeSpread({ ...every, clusters: ['east', 'west'] }, [answer('intruder-1')], backends);
    expect(both).to.have.property('observed').that.contains('which is not a ready backend of the target in east, west');
  });

  it('an answer that names no backend is an error: the test cannot count', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999 };
    const v = judgeSpread(every, [answer('echo-v1-a'), answer(undefined)], backends);
    expect(v).to.deep.equal({ status: 'error', observed: '1 of 2 answers named no backend (body "<html>"): the server must answer with its hostname, e.g. path /hostname' });
  });

  it('every with no ready backend is an error, not a pass', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999 };
    expect(judgeSpread(every, [], []).status).to.equal('error');
  });

  it('shares: each count within its exact binomial range; groups not listed must not answer', () => {
    const canary: AnswerSpread = { group: { by: 'label', label: 'version' }, shares: { v1: 90, v2: 10 }, confidence: 0.999 };
    // Binomial(200, 0.1) at 0.999 accepts 8-35 answers from v2 (and so 165-192 from v1).
    expect(judgeSpread(canary, answers({ 'echo-v1-a': 100, 'echo-v1-b': 80, 'echo-v2-a': 20 }), backends).status).to.equal('pass');
    expect(judgeSpread(canary, answers({ 'echo-v1-a': 100, 'echo-v1-b': 92, 'echo-v2-a': 8 }), backends).status, 'the low edge').to.equal('pass');
    const few = judgeSpread(canary, answers({ 'echo-v1-a': 100, 'echo-v1-b': 93, 'echo-v2-a': 7 }), backends);
    expect(few.status).to.equal('fail');
    expect(few).to.have.property('observed').that.contains('outside the tolerance: v1 193 of 200, expected 165-192 (90%); v2 7 of 200, expected 8-35 (10%)');
    expect(few).to.have.property('expected', 'answers by label version: v1 90% (165-192 of 200), v2 10% (8-35 of 200) at 0.999 confidence');
  });

  it('shares of 0 and 100: failover must send every answer to the remote cluster', () => {
    const failover: AnswerSpread = { group: { by: 'cluster' }, shares: { east: 0, west: 100 }, confidence: 0.999, clusters: ['east', 'west'] };
    expect(judgeSpread(failover, answers({ 'echo-v1-b': 30 }), backends).status).to.equal('pass');
    const leak = judgeSpread(failover, answers({ 'echo-v1-b': 29, 'echo-v1-a': 1 }), backends);
    expect(leak.status).to.equal('fail');
    expect(leak).to.have.property('observed').that.contains('east 1 of 30, expected 0 (0%); west 29 of 30, expected 30 (100%)');
  });

  it('a group nobody listed in shares counts as 0%', () => {
    const split: AnswerSpread = { group: { by: 'cluster' }, shares: { east: 100 }, confidence: 0.999 };
    const v = judgeSpread(split, answers({ 'echo-v1-a': 9, 'echo-v1-b': 1 }), backends);
    expect(v.status).to.equal('fail');
    expect(v).to.have.property('observed').that.contains('west 1 of 10, expected 0 (0%)');
  });

  it('orders what it prints: counts largest first (then by name), groups and strangers by name', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999 };
    const v = judgeSpread(every, [...answers({ 'echo-v2-a': 2, 'echo-v1-b': 5, 'echo-v1-a': 2 }), answer('zed-1'), answer('abe-1'), answer('zed-1')], backends);
    expect(v).to.deep.equal({
      status: 'fail',
      expected: 'every pod answers at least once in 12 requests (3: echo-v1-a, echo-v1-b, echo-v2-a)',
      observed: '12 answers: echo-v1-b 5, echo-v1-a 2, echo-v2-a 2, zed-1 (not a backend) 2, abe-1 (not a backend) 1; answered by abe-1, zed-1, which are not a ready backend of the target',
    });
    const reversed: Backend[] = [...backends].reverse();
    const missing = judgeSpread(every, answers({ 'echo-v2-a': 3 }), reversed);
    expect(missing).to.have.property('observed', '3 answers: echo-v2-a 3; never answered: echo-v1-a, echo-v1-b (with an even spread over 3, one given group gets no answer in 3 requests with probability 0.30)');
    const shares: AnswerSpread = { group: { by: 'label', label: 'version' }, shares: { v2: 50, v1: 50 }, confidence: 0.999 };
    expect(judgeSpread(shares, answers({ 'echo-v2-a': 20 }), backends)).to.have.property('observed').that.contains('outside the tolerance: v1 0 of 20, expected 3-17 (50%); v2 20 of 20, expected 3-17 (50%)');
  });

  it('an answer body is quoted, at most 60 characters, and an answer without one says so', () => {
    const every: AnswerSpread = { group: { by: 'pod' }, every: true, confidence: 0.999 };
    const long = { ...answer(undefined), body: 'x'.repeat(100) };
    expect(judgeSpread(every, [long], backends)).to.have.property('observed').that.contains(`(body "${'x'.repeat(60)}")`);
    const bodiless: ProbeResult = { ...answer(undefined) };
    delete (bodiless as { body?: string }).body;
    expect(judgeSpread(every, [bodiless], backends)).to.have.property('observed').that.contains('(body "")');
  });

  it('a share with one accepted count is printed as that count; no backend at all is an error saying so', () => {
    expect(describeSpread({ group: { by: 'cluster' }, shares: { east: 100 }, confidence: 0.999 }, 10, backends)).to.equal('answers by cluster: east 100% (10 of 10) at 0.999 confidence');
    expect(judgeSpread({ group: { by: 'pod' }, every: true, confidence: 0.999 }, [], [])).to.deep.equal({ status: 'error', observed: '0 answers: ; the target has no ready backend to count' });
  });

  it('describes an every spread with no backend plainly', () => {
    expect(describeSpread({ group: { by: 'pod' }, every: true, confidence: 0.999 }, 5, [])).to.equal('every pod answers at least once in 5 requests (0: none)');
  });
});
