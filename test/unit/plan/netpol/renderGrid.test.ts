import { expect } from 'chai';
import { evaluate } from '../../../../harness/plan/netpol/evaluate.js';
import { explainCell } from '../../../../harness/plan/netpol/explain.js';
import { renderGrid, renderTruthTable } from '../../../../harness/plan/netpol/renderGrid.js';
import { grid, policies } from './netpolFixtures.js';

const RESULT = evaluate(
  grid('x/a x/b y/a', [80, '53/UDP']),
  policies(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in, namespace: x}
spec: {podSelector: {matchLabels: {pod: b}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a-out-dns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}]}]
`),
);

describe('netpol truth tables as text', () => {
  it('one grid per port: rows are sources, columns destinations, . allowed, X blocked, * a pod to itself its policies would block', () => {
    expect(renderTruthTable(RESULT)).to.deep.equal([
      'rows: from, columns: to; . allowed, X blocked',
      '* a pod to itself: allowed although its policies would block it (a pod cannot block access to itself)',
      '',
      '80/TCP (serve-80-tcp): 6 allowed, 3 blocked',
      'from \\ to  x/a x/b y/a',
      'x/a        *   X   X',
      'x/b        .   *   .',
      'y/a        .   X   .',
      '',
      '53/UDP (serve-53-udp): 7 allowed, 2 blocked',
      'from \\ to  x/a x/b y/a',
      'x/a        .   X   .',
      'x/b        .   *   .',
      'y/a        .   X   .',
    ]);
  });

  it('columns are as wide as the longest pod name', () => {
    expect(renderGrid(['app/web', 'trusted/client'], (f, t) => (f === t ? '.' : 'X'))).to.deep.equal([
      'from \\ to       app/web        trusted/client',
      'app/web         .              X',
      'trusted/client  X              .',
    ]);
  });

  it('each cell explains itself: both sides, the isolating policies and the allowing rules', () => {
    const cell = (from: string, to: string, port: number) => RESULT.cells.find((c) => c.from === from && c.to === to && c.port === port)!;
    expect(explainCell(cell('y/a', 'x/b', 80))).to.equal(
      'blocked: egress of y/a open (no policy selects it for egress); ingress of x/b denied: isolated by x/deny-in, and no ingress rule allows from y/a on 80/TCP',
    );
    expect(explainCell(cell('x/a', 'y/a', 53))).to.equal(
      'allowed: egress of x/a allowed by x/a-out-dns egress[0]; ingress of y/a open (no policy selects it for ingress)',
    );
    expect(explainCell(cell('x/a', 'y/a', 80))).to.equal(
      'blocked: egress of x/a denied: isolated by x/a-out-dns, and no egress rule allows to y/a on 80/TCP; ingress of y/a open (no policy selects it for ingress)',
    );
    expect(explainCell(cell('x/b', 'x/b', 80))).to.equal(
      'allowed: a pod to itself (a pod cannot block access to itself); the rules alone would block it: egress of x/b open (no policy selects it for egress); ingress of x/b denied: isolated by x/deny-in, and no ingress rule allows from x/b on 80/TCP',
    );
    expect(explainCell(cell('y/a', 'y/a', 80))).to.match(/^allowed: a pod to itself \(a pod cannot block access to itself\): egress of y\/a open/);
  });
});
