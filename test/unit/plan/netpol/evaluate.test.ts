import { expect } from 'chai';
import type { TransportProtocol } from '../../../../harness/model/suite.js';
import { evaluate } from '../../../../harness/plan/netpol/evaluate.js';
import { actualRows, expectedRows, grid, policies, ruleRows, type Override } from './netpolFixtures.js';

/**
 * Hand-worked truth tables. Most cases follow a test of the upstream netpol e2e suite
 * (kubernetes test/e2e/network/netpol/network_policy.go): same pods, policy and expected matrix, written anew.
 * Every grid starts all allowed; `expect` lists what the policies change, per port (pod to itself is always allowed).
 */
interface Case {
  readonly name: string;
  readonly pods?: string;
  readonly ports?: readonly (number | `${number}/${TransportProtocol}`)[];
  readonly ips?: Record<string, string>;
  readonly policies: string;
  readonly expect: Readonly<Record<string, readonly Override[]>>;
}

const XYZ = 'x/a x/b x/c y/a y/b y/c z/a z/b z/c';

const CASES: readonly Case[] = [
  { name: 'no policy: every cell allowed', policies: '', expect: { '80/TCP': [] } },
  {
    name: "e2e default-deny-ingress: podSelector {} and no rules isolates every pod of x for ingress; y and z stay open",
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}}`,
    expect: { '80/TCP': [['*', 'x/*', false]] },
  },
  {
    name: 'e2e default-deny-all: policyTypes Ingress and Egress, no rules: nothing in or out of x',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}`,
    expect: { '80/TCP': [['*', 'x/*', false], ['x/*', '*', false]] },
  },
  {
    name: 'e2e allow from pods within the server namespace: a podSelector alone selects only the policy namespace (y/b is not let in)',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['x/b', 'x/a', true]] },
  },
  {
    name: 'e2e podSelector with matchExpressions (pod In [b])',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x-a-allows-x-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b]}]}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['x/b', 'x/a', true]] },
  },
  {
    name: 'e2e allow ingress from pods in all namespaces: an empty namespaceSelector selects every namespace',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-another-ns, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {}}]}]`,
    expect: { '80/TCP': [] },
  },
  {
    name: 'e2e allow from namespace by label: only namespace y (ns=y) reaches x/a',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ns-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true]] },
  },
  {
    name: 'e2e default namespace label: kubernetes.io/metadata.name is on every namespace without being declared',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ns-y-by-name, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true]] },
  },
  {
    name: 'e2e egress by namespace name with NotIn: x/a may send anywhere but namespace y',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-not-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]}}]}]`,
    expect: { '80/TCP': [['x/a', 'y/*', false]] },
  },
  {
    name: 'e2e PodSelector OR NamespaceSelector: two peers in one rule are OR-ed',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-not-x-or-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - from:
        - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
        - podSelector: {matchLabels: {pod: b}}`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true], ['z/*', 'x/a', true], ['x/b', 'x/a', true]] },
  },
  {
    name: 'e2e PodSelector AND NamespaceSelector: both in one peer select pod=b of namespaces other than x',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-not-x-and-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - from:
        - namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}
          podSelector: {matchLabels: {pod: b}}`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/b', 'x/a', true], ['z/b', 'x/a', true]] },
  },
  {
    name: 'e2e multiple PodSelectors and NamespaceSelectors: pod In [b, c] AND namespace not x',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ns-not-x-pod-b-c, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - from:
        - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: [x]}]}
          podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/b', 'x/a', true], ['y/c', 'x/a', true], ['z/b', 'x/a', true], ['z/c', 'x/a', true]] },
  },
  {
    name: 'an empty namespaceSelector AND a podSelector: pod=b of every namespace, x included',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-ns-pod-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['*/b', 'x/a', true]] },
  },
  {
    name: 'Exists, DoesNotExist and NotIn on a missing key: pods without a tier label are let in, namespaces must carry ns',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: untiered, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - from:
        - namespaceSelector: {matchExpressions: [{key: ns, operator: Exists}]}
          podSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}, {key: tier, operator: NotIn, values: [db]}, {key: pod, operator: NotIn, values: [c]}]}`,
    expect: { '80/TCP': [['*/c', 'x/a', false]] },
  },
  {
    name: 'e2e enforce policy based on Ports: only 81 from namespace y; 80 to x/a is blocked for everyone',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-81-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 81, protocol: TCP}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false]], '81/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true]] },
  },
  {
    name: 'e2e multiple stacked policies: the rules of every policy selecting a pod are a union',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-81-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 81}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-80-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 80}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true]], '81/TCP': [['*', 'x/a', false], ['y/*', 'x/a', true]] },
  },
  {
    name: 'e2e allow-all policy: one empty ingress rule lets everything in, on every port',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: x}
spec: {podSelector: {}, ingress: [{}]}`,
    expect: { '80/TCP': [], '81/TCP': [] },
  },
  {
    name: 'a rule with an empty from list matches every source',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-empty, namespace: x}
spec: {podSelector: {}, ingress: [{from: [], ports: []}]}`,
    expect: { '80/TCP': [] },
  },
  {
    name: 'e2e ingress on one named port: serve-81-tcp is allowed into x, 80 is not',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-named-81, namespace: x}
spec:
  podSelector: {}
  ingress: [{ports: [{port: serve-81-tcp}]}]`,
    expect: { '80/TCP': [['*', 'x/*', false]], '81/TCP': [] },
  },
  {
    name: 'e2e egress on one named port: x may send to serve-80-tcp of any pod, not to 81',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-egress-named-80, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: serve-80-tcp}]}]`,
    expect: { '80/TCP': [], '81/TCP': [['x/*', '*', false]] },
  },
  {
    name: 'a named port of another protocol matches nothing (serve-80-udp with the default TCP)',
    ports: [80, '80/UDP'],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: named-wrong-protocol, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: serve-80-udp}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false]], '80/UDP': [['*', 'x/a', false]] },
  },
  {
    name: 'e2e Ingress and Egress specified together: x/a lets x/b in and sends only on 80',
    pods: 'x/a x/b x/c y/a',
    ports: [80, 81],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: both, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress, Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
  egress: [{ports: [{port: 80}]}]`,
    expect: {
      '80/TCP': [['*', 'x/a', false], ['x/b', 'x/a', true]],
      '81/TCP': [['*', 'x/a', false], ['x/a', '*', false], ['x/b', 'x/a', true]],
    },
  },
  {
    name: "e2e egress denied on the client side although the server's ingress allows it: both sides must allow",
    pods: 'x/a y/a y/b',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-to-y-a, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}, podSelector: {matchLabels: {pod: a}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-x-a, namespace: y}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}, podSelector: {matchLabels: {pod: a}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-from-x-a-to-b, namespace: y}
spec:
  podSelector: {matchLabels: {pod: b}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}, podSelector: {matchLabels: {pod: a}}}]}]`,
    expect: { '80/TCP': [['x/a', '*', false], ['*', 'y/a', false], ['x/a', 'y/a', true], ['*', 'y/b', false]] },
  },
  {
    name: 'egress deny with DNS allowed: port 53 over UDP and TCP still leaves x, nothing else does',
    pods: 'x/a x/b y/a',
    ports: [80, '53/UDP', '53/TCP'],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: x}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}]`,
    expect: { '80/TCP': [['x/*', '*', false]], '53/UDP': [], '53/TCP': [] },
  },
  {
    name: 'endPort: TCP 80 to 81 inclusive reaches x/a, 79 and 82 do not',
    pods: 'x/a x/b y/a',
    ports: [79, 80, 81, 82],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: range, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 80, endPort: 81}]}]`,
    expect: { '79/TCP': [['*', 'x/a', false]], '80/TCP': [], '81/TCP': [], '82/TCP': [['*', 'x/a', false]] },
  },
  {
    name: 'e2e ingress on a specific protocol, any port: TCP passes, UDP does not',
    pods: 'x/a y/a',
    ports: [80, '80/UDP'],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: tcp-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{protocol: TCP}]}]`,
    expect: { '80/TCP': [], '80/UDP': [['*', 'x/a', false]] },
  },
  {
    name: 'e2e a UDP-only rule does not allow TCP, and an SCTP rule is never read as TCP',
    pods: 'x/a y/a',
    ports: [81, '81/UDP', '81/SCTP'],
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: udp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 81, protocol: UDP}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: sctp-81, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress: [{ports: [{port: 81, protocol: SCTP}]}]`,
    expect: { '81/TCP': [['*', 'x/a', false]], '81/UDP': [], '81/SCTP': [] },
  },
  {
    name: 'e2e except clause: x/a may send to 10.0.0.0/16 but not to the excepted 10.0.2.0/24 (x/b)',
    pods: 'x/a x/b x/c',
    ips: { 'x/a': '10.0.1.1', 'x/b': '10.0.2.2', 'x/c': '10.0.3.3' },
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cidr-except, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]`,
    expect: { '80/TCP': [['x/a', 'x/b', false]] },
  },
  {
    name: 'e2e an IP in both cidr and except is allowed by a second policy that names it (union)',
    pods: 'x/a x/b x/c',
    ips: { 'x/a': '10.0.1.1', 'x/b': '10.0.2.2', 'x/c': '10.0.3.3' },
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cidr-except, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cidr-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 10.0.2.2/32}}]}]`,
    expect: { '80/TCP': [] },
  },
  {
    name: 'e2e egress to a server in a CIDR block: the /32 of y/b only (IPv6 too)',
    pods: 'x/a y/a y/b',
    ips: { 'x/a': 'fd00::a', 'y/a': 'fd00::1:a', 'y/b': 'fd00::1:b' },
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-y-b, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 'fd00::1:b/128'}}]}]`,
    expect: { '80/TCP': [['x/a', '*', false], ['x/a', 'y/b', true]] },
  },
  {
    name: 'ipBlock without declared pod IPs: it matches no pod of the grid',
    pods: 'x/a y/a y/b',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: to-everything-by-cidr, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]`,
    expect: { '80/TCP': [['x/a', '*', false]] },
  },
  {
    name: 'policyTypes [Egress] only: the ingress rules it also holds are ignored (x/a is not isolated for ingress)',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress: [{}]
  ingress: [{from: [{podSelector: {matchLabels: {pod: nobody}}}]}]`,
    expect: { '80/TCP': [] },
  },
  {
    name: 'defaulting: egress rules without policyTypes isolate ingress too (every policy affects ingress unless it says otherwise)',
    pods: 'x/a x/b y/a',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-to-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  egress: [{to: [{namespaceSelector: {matchLabels: {ns: y}}}]}]`,
    expect: { '80/TCP': [['*', 'x/a', false], ['x/a', '*', false], ['x/a', 'y/*', true]] },
  },
  {
    name: 'defaulting counts egress rules: egress: [] without policyTypes leaves egress open',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: empty-egress, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, ingress: [{}], egress: []}`,
    expect: { '80/TCP': [] },
  },
  {
    name: 'policyTypes [Egress] with no egress rules: x/a may send nothing',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress-a, namespace: x}
spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}`,
    expect: { '80/TCP': [['x/a', '*', false]] },
  },
  {
    name: 'a policy applies in its own namespace only: a deny on pod=a in y leaves x/a and z/a open',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-a, namespace: y}
spec: {podSelector: {matchLabels: {pod: a}}}`,
    expect: { '80/TCP': [['*', 'y/a', false]] },
  },
  {
    name: 'a policy of a namespace outside the grid, or of none, has no effect',
    policies: `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: w}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all-nowhere}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}`,
    expect: { '80/TCP': [] },
  },
];

describe('netpol evaluator: hand-worked truth tables', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const g = grid(c.pods ?? XYZ, c.ports ?? [80], c.ips ?? {});
      const result = evaluate(g, policies(c.policies));
      expect(Object.keys(c.expect).sort(), 'every port of the case has an expectation').to.deep.equal(g.ports.map((p) => `${p.port}/${p.protocol}`).sort());
      for (const [key, overrides] of Object.entries(c.expect)) {
        const [port, protocol] = key.split('/') as [string, TransportProtocol];
        expect(actualRows(result, Number(port), protocol), key).to.deep.equal(expectedRows(result.pods, overrides));
      }
      const pods = result.pods.length;
      expect(result.cells).to.have.length(pods * pods * g.ports.length);
    });
  }
});

describe('netpol evaluator: what decided each cell', () => {
  const g = grid('x/a x/b y/a', [80, 81]);
  const result = evaluate(
    g,
    policies(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: x}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-81-from-y, namespace: x}
spec:
  podSelector: {matchLabels: {pod: a}}
  ingress:
    - from: [{podSelector: {matchLabels: {pod: nobody}}}]
    - from: [{namespaceSelector: {matchLabels: {ns: y}}}]
      ports: [{port: 81}]
    - ports: [{port: 81}, {port: 80}]
      from: [{namespaceSelector: {matchLabels: {ns: y}}}]
`),
  );
  const cell = (from: string, to: string, port: number) => result.cells.find((c) => c.from === from && c.to === to && c.port === port)!;

  it('an allowed cell names every rule that allows it, and every policy that isolates the pod', () => {
    const c = cell('y/a', 'x/a', 81);
    expect(c.allowed).to.equal(true);
    expect(c.ingress).to.deep.equal({
      allowed: true,
      isolated: true,
      policies: ['x/deny-all', 'x/allow-81-from-y'],
      allowedBy: [
        { policy: 'x/allow-81-from-y', rule: 1 },
        { policy: 'x/allow-81-from-y', rule: 2 },
      ],
    });
    expect(c.egress).to.deep.equal({ allowed: true, isolated: false, policies: [], allowedBy: [] });
    expect(cell('y/a', 'x/a', 80).ingress.allowedBy).to.deep.equal([{ policy: 'x/allow-81-from-y', rule: 2 }]);
  });

  it('a blocked cell is isolated with no allowing rule', () => {
    const c = cell('y/a', 'x/b', 80);
    expect(c.allowed).to.equal(false);
    expect(c.ingress).to.deep.equal({ allowed: false, isolated: true, policies: ['x/deny-all'], allowedBy: [] });
    expect(c.loopback).to.equal(false);
  });

  it('a pod to itself is allowed (a pod cannot block access to itself) while its verdicts still say what the rules decide', () => {
    const c = cell('x/b', 'x/b', 80);
    expect(c.loopback).to.equal(true);
    expect(c.allowed).to.equal(true);
    expect(c.ingress.allowed).to.equal(false);
    expect(ruleRows(result, 80)).to.deep.equal(['x/a: X X .', 'x/b: X X .', 'y/a: . X .']);
    expect(actualRows(result, 80)).to.deep.equal(['x/a: . X .', 'x/b: X . .', 'y/a: . X .']);
  });

  it('cells come port by port, then source by source, then destination by destination', () => {
    expect(result.cells.slice(0, 4).map((c) => `${c.port} ${c.from} ${c.to}`)).to.deep.equal(['80 x/a x/a', '80 x/a x/b', '80 x/a y/a', '80 x/b x/a']);
    expect(result.cells[9]!.port).to.equal(81);
    expect(result.pods).to.deep.equal(['x/a', 'x/b', 'y/a']);
  });
});
